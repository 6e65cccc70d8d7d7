// Tells the page the document's height whenever it changes, so the iframe is always exactly as tall
// as its content (the page never shows a scroll bar, nor clips the 3-D Secure step).

export interface AutoResize {
  /**
   * Measures once the current task is over: called after each render too, where ResizeObserver
   * reports late or never (happy-dom). Not at once: a forced layout would hold back the messages the
   * render just posted (the page hears `ready` only when the frame's task ends).
   */
  measureSoon(): void;
  stop(): void;
}

export function autoResize(root: HTMLElement, report: (height: number) => void): AutoResize {
  let last = -1;
  const measure = () => {
    // The root's own box, not scrollHeight: scrollHeight never drops below the frame's current
    // height, so the frame could grow but never shrink back.
    const height = Math.ceil(root.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    report(height);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const measureSoon = () => {
    if (timer === undefined)
      timer = setTimeout(() => {
        timer = undefined;
        measure();
      }, 0);
  };
  const observer = new ResizeObserver(measure);
  observer.observe(root);
  return {
    measureSoon,
    stop: () => {
      clearTimeout(timer);
      observer.disconnect();
    },
  };
}
