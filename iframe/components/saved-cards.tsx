// The customer's saved cards: a radio list masked as BIN••••••last4 with brand and expiry, the
// default first; the chosen card's security code when the merchant asks for it; deleting a card
// after an inline yes/no; and the way to a new card.
import { Component, type JSX } from 'preact';
import type { FrameSavedCard } from '../../protocol/types.ts';
import { maskNumber } from '../../protocol/cards.ts';
import { formatCvc } from '../card-state.ts';
import { savedCvcSizes, type Control, type FormState, type FormVerdict } from '../form-state.ts';
import { ERROR_LABELS, type Translator } from '../i18n.ts';
import { BrandBadge, brandName } from './brand-badge.tsx';
import { TextField } from './text-field.tsx';

export interface SavedCardsProps {
  i18n: Translator;
  state: FormState;
  verdict: FormVerdict;
  disabled: boolean;
  onSelect: (token: string) => void;
  onCvc: (cvc: string) => void;
  onFocus: (control: Control) => void;
  onBlur: (control: Control) => void;
  /** Resolves once the vault answered; the list then drops the card. */
  onDelete: (token: string) => Promise<void>;
  onNewCard: () => void;
}

const twoDigits = (n: number) => `0${n % 100}`.slice(-2);
const expiryOf = (c: FrameSavedCard) => `${twoDigits(c.exp_month)}/${twoDigits(c.exp_year)}`;

interface SavedCardsState {
  /** The card whose deletion awaits the customer's yes or no. */
  asking?: string;
}

export class SavedCards extends Component<SavedCardsProps, SavedCardsState> {
  declare no: HTMLButtonElement | null;

  override componentDidUpdate(_: SavedCardsProps, previous: SavedCardsState) {
    // The question takes the focus, on its safe answer.
    if (this.state.asking && this.state.asking !== previous.asking) this.no?.focus();
  }

  render({ i18n, state, verdict, disabled, onSelect, onCvc, onFocus, onBlur, onNewCard }: SavedCardsProps, { asking }: SavedCardsState) {
    const { t } = i18n;
    const setAsking = (token?: string) => this.setState({ asking: token });
    const noRef = (el: HTMLButtonElement | null) => {
      this.no = el;
    };
    return (
      <fieldset class="cv-saved" disabled={disabled}>
        <legend class="cv-legend">{t('savedCards')}</legend>
        <ul class="cv-saved-list">
          {state.cards.map((card, i) => {
            const id = `cv-card-${i}`;
            const masked = maskNumber(card.bin, card.last4);
            const name = brandName(card.brand, card.bin);
            const chosen = card.token === state.selected;
            const cvcError = chosen && verdict.errors.savedCvc ? t(ERROR_LABELS[verdict.errors.savedCvc]) : undefined;
            const [cvcSize] = savedCvcSizes(card);
            return (
              <li class="cv-saved-card" key={card.token}>
                <div class="cv-saved-row">
                  <input
                    class="cv-radio"
                    type="radio"
                    name="saved-card"
                    id={id}
                    checked={chosen}
                    onChange={() => onSelect(card.token)}
                    // Said as "Visa ending in 4242, expires 12/30": a screen reader would spell out the mask's dots.
                    aria-label={t('cardEnding', { card: name, last4: card.last4, date: expiryOf(card) })}
                  />
                  <label class="cv-saved-label" for={id} id={`${id}-label`}>
                    <BrandBadge brand={card.brand} name={name} />
                    <span class="cv-masked">{masked}</span>
                    <span class="cv-expires">{t('expires', { date: expiryOf(card) })}</span>
                  </label>
                  {asking === card.token ? (
                    <span class="cv-delete-confirm" role="group" aria-labelledby={`${id}-ask`}>
                      <span id={`${id}-ask`}>{t(card.agreements ? 'deleteConfirmAgreements' : 'deleteConfirm')}</span>
                      <button
                        type="button"
                        class="cv-link cv-link--danger"
                        aria-describedby={id}
                        onClick={() => {
                          // The question goes at once: a second click cannot send a second deletion.
                          setAsking(undefined);
                          void this.props.onDelete(card.token);
                        }}
                      >
                        {t('deleteYes')}
                      </button>
                      <button type="button" class="cv-link" ref={noRef} onClick={() => setAsking(undefined)}>
                        {t('deleteNo')}
                      </button>
                    </span>
                  ) : (
                    <button type="button" class="cv-link" aria-describedby={id} onClick={() => setAsking(card.token)}>
                      {t('delete')}
                    </button>
                  )}
                </div>
                {chosen && card.need_cvc ? (
                  <TextField
                    id="cv-saved-cvc"
                    name="cvc"
                    // The mask in a left-to-right isolate: in an Arabic label it would otherwise read 4242••••••424242.
                    label={t('cvcFor', { card: `${name} \u2066${masked}\u2069`.trim() })}
                    value={state.savedCvc}
                    error={cvcError}
                    autoComplete="cc-csc"
                    inputMode="numeric"
                    placeholder={'1234'.slice(0, cvcSize)}
                    maxLength={cvcSize}
                    required
                    disabled={disabled}
                    onInput={(e: JSX.TargetedEvent<HTMLInputElement, Event>) => {
                      const next = formatCvc(e.currentTarget.value, [cvcSize]);
                      e.currentTarget.value = next;
                      onCvc(next);
                    }}
                    onFocus={() => onFocus('savedCvc')}
                    onBlur={() => onBlur('savedCvc')}
                  />
                ) : null}
              </li>
            );
          })}
        </ul>
        <button type="button" class="cv-link cv-new-card-link" onClick={onNewCard}>
          {t('newCard')}
        </button>
      </fieldset>
    );
  }
}
