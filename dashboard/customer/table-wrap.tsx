// A wide table's scrolling box: at 375 px it scrolls sideways on its own, so a keyboard must be able to
// reach it (tabindex) and a screen reader hears it named after its section's heading.
import type { ComponentChildren } from 'preact';

export function TableWrap(props: { labelledBy: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be focusable to scroll by keyboard.
    <div class="table-wrap" role="region" aria-labelledby={props.labelledBy} tabIndex={0}>
      {props.children}
    </div>
  );
}
