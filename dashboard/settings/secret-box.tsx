// A secret shown once, right after it was made: in a .secret box with a Copy button, and the warning
// that the vault will not show it again (it keeps only a hash, or the signing secret sealed).
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export function SecretBox(props: { label: string; secret: string; children?: ComponentChildren }) {
  const [copied, setCopied] = useState<string>('');
  const id = `secret-${props.label.replace(/\W+/g, '-')}`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.secret);
      setCopied('Copied to the clipboard.');
    } catch {
      // No clipboard (an insecure origin, a refused permission): select it for the person to copy.
      const box = document.getElementById(id);
      if (box) getSelection()?.selectAllChildren(box);
      setCopied('Could not copy: the secret is selected, copy it with your keyboard.');
    }
  };
  return (
    <div class="secret-shown" role="region" aria-label={props.label}>
      <p class="note">
        <strong>Copy it now: it will not be shown again.</strong> {props.children}
      </p>
      <p class="secret" id={id}>
        {props.secret}
      </p>
      <div class="secret-actions">
        <button type="button" onClick={copy} aria-describedby={id}>
          Copy
        </button>
        <span role="status" class="notice">
          {copied}
        </span>
      </div>
    </div>
  );
}
