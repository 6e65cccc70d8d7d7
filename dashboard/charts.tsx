// The dashboard's charts: a uPlot canvas that follows its container's width (375 px phones to wide
// screens), inside a <figure> whose caption says the totals in words and whose <details> holds the
// figures as a table, so a screen reader or a keyboard user gets everything the picture shows.
// uPlot draws on a canvas and sets element.style from script only: nothing our CSP refuses.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { TableWrap } from './ui.tsx';

export const INK = '#1a1a1a';
export const GRID = '#e4e7ea';
export const GREEN = '#00704f';
export const RED = '#b00020';

const HEIGHT = 220;

/** Axes in our colours; `values` formats the ticks. */
export function axis(values?: uPlot.Axis['values'], extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return { stroke: INK, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 }, values, ...extra };
}

/** Days as UTC midnights (seconds), told in UTC whatever the browser's zone, as the server counts them. */
export const utcDay = (date: string): number => Date.parse(`${date}T00:00:00Z`) / 1000;
export const inUtc = (ts: number): Date => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');

export function Chart(props: {
  /** The chart's options without its size, which follows the container. */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  /** Called after every draw (the overview marks its first one for the benchmark). */
  onDraw?: () => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const onDraw = useRef(props.onDraw);
  onDraw.current = props.onDraw;
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(200, Math.floor(el.clientWidth));
    const hooks = { ...props.options.hooks, draw: [...(props.options.hooks?.draw ?? []), () => onDraw.current?.()] };
    const plot = new uPlot({ ...props.options, hooks, width: width(), height: HEIGHT }, props.data, el);
    let last = width();
    const resize = new ResizeObserver(() => {
      const w = width();
      if (w !== last) plot.setSize({ width: (last = w), height: HEIGHT });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.options, props.data]);
  // The canvas repeats what the caption and the table say: readers skip it.
  return <div class="ov-chart" ref={box} aria-hidden="true" />;
}

/** A chart with its text alternative: a caption in words and the figures as a table in <details>. */
export function ChartFigure(props: { title: string; caption: ComponentChildren; chart: ComponentChildren; head: string[]; rows: (string | number)[][] }) {
  return (
    <figure class="card ov-figure">
      <figcaption>
        <h2>{props.title}</h2>
        <p class="muted">{props.caption}</p>
      </figcaption>
      {props.chart}
      <details>
        <summary>{props.title}: the figures</summary>
        <TableWrap label={`${props.title}: the figures`}>
          <table>
            <thead>
              <tr>
                {props.head.map((h, i) => (
                  <th key={h} scope="col" class={i ? 'num' : undefined}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr key={String(r[0])}>
                  {r.map((cell, i) => (
                    <td key={i} class={i ? 'num' : undefined}>
                      {cell}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </details>
    </figure>
  );
}
