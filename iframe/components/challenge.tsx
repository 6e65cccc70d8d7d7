// The 3-D Secure step inside the fields: the vault's own challenge page in a nested frame. Its
// verdict is taken only from that frame's window, on the vault's origin, for this challenge.
import { Component } from 'preact';
import { THREE_DS_MESSAGE, type ThreeDsMessage } from '../../protocol/messages.ts';
import type { Translator } from '../i18n.ts';

export interface ChallengeProps {
  i18n: Translator;
  id: string;
  url: string;
  vaultOrigin: string;
  onDone: (status: ThreeDsMessage['status']) => void;
}

const isVerdict = (data: unknown, id: string): data is ThreeDsMessage => {
  const m = data as Partial<ThreeDsMessage> | null;
  return typeof m === 'object' && m !== null && m.type === THREE_DS_MESSAGE && m.challenge === id && (m.status === 'passed' || m.status === 'failed');
};

/** Only a page of the vault itself is ever framed here. */
export function isVaultUrl(url: string, vaultOrigin: string): boolean {
  try {
    return new URL(url).origin === vaultOrigin;
  } catch {
    return false;
  }
}

export class Challenge extends Component<ChallengeProps> {
  declare frame: HTMLIFrameElement | null;
  declare listener: (event: MessageEvent) => void;

  override componentDidMount() {
    const { id, vaultOrigin, onDone } = this.props;
    // No frame was rendered: the URL is not the vault's.
    if (!this.frame) return onDone('failed');
    this.listener = (event) => {
      // A null source never matches: the frame must have a window, and the message must be its own.
      const from = this.frame?.contentWindow;
      if (from && event.source === from && event.origin === vaultOrigin && isVerdict(event.data, id)) onDone(event.data.status);
    };
    addEventListener('message', this.listener);
  }

  override componentWillUnmount() {
    if (this.listener) removeEventListener('message', this.listener);
  }

  /** Same origin as the fields, so its height can be read: the frame grows to show the whole step. */
  measure() {
    const frame = this.frame!;
    try {
      const h = Math.ceil(frame.contentDocument!.documentElement.getBoundingClientRect().height);
      if (h > 0) frame.style.height = `${h}px`;
    } catch {
      /* not readable (or not loaded): the stylesheet's height stays */
    }
  }

  render({ i18n: { t }, url, vaultOrigin }: ChallengeProps) {
    const ref = (el: HTMLIFrameElement | null) => {
      this.frame = el;
    };
    return (
      <section class="cv-challenge" aria-labelledby="cv-challenge-title">
        <h2 class="cv-challenge-title" id="cv-challenge-title">
          {t('challengeTitle')}
        </h2>
        <p class="cv-hint" aria-live="polite">
          {t('challengeWait')}
        </p>
        {isVaultUrl(url, vaultOrigin) ? (
          <iframe
            ref={ref}
            class="cv-challenge-frame"
            src={url}
            title={t('challengeTitle')}
            // The vault's own page: it needs its origin (its form posts with Origin checked),
            // scripts (its nonce'd verdict message) and forms; for a provider's issuer page that
            // refuses to be framed, a window of its own (popups, unsandboxed, keeping its opener).
            sandbox="allow-scripts allow-forms allow-same-origin allow-popups allow-popups-to-escape-sandbox"
            onLoad={() => this.measure()}
          />
        ) : null}
      </section>
    );
  }
}
