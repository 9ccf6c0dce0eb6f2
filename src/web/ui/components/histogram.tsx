// Message-volume histogram (uPlot bars over /api/histogram buckets). Click-drag on the plot selects a time
// span and calls onZoom(fromUs, toUs); the page turns that into a narrower range in the URL. The bucket counts
// are also on the container (data-buckets) so a test can compare what is drawn with what the API said.
import uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';
import type { Histogram as HistogramData } from '../api';

const HEIGHT = 130;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Axis labels in UTC, 24 h, as precise as the visible span needs. */
function timeLabels(_u: uPlot, splits: number[], _axis: number, _space: number, incr: number): string[] {
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    if (incr < 60) return `${hm}:${pad(d.getUTCSeconds())}`;
    if (incr >= 86400) return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    return d.getUTCHours() === 0 && d.getUTCMinutes() === 0 ? `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` : hm;
  });
}

export function Histogram({ data, onZoom }: { data: HistogramData; onZoom: (fromUs: number, toUs: number) => void }) {
  const el = useRef<HTMLDivElement>(null);
  const zoom = useRef(onZoom);
  zoom.current = onZoom;

  useEffect(() => {
    const host = el.current;
    if (!host) return undefined;
    const xs = data.buckets.map((b) => b.t / 1e6);
    const ys = data.buckets.map((b) => b.count);
    const fg = cssVar('--muted', '#888');
    const grid = cssVar('--grid', 'rgba(128,128,128,0.2)');
    const accent = cssVar('--accent', '#3b82f6');
    const opts: uPlot.Options = {
      width: Math.max(200, host.clientWidth),
      height: HEIGHT,
      legend: { show: false },
      scales: {
        x: { time: true, range: () => [data.fromUs / 1e6, data.toUs / 1e6] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
      },
      series: [
        {},
        {
          label: 'messages',
          stroke: accent,
          fill: accent + '99',
          width: 0,
          points: { show: false },
          paths: uPlot.paths.bars!({ size: [0.9, Infinity], align: 1 }),
        },
      ],
      axes: [
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, values: timeLabels },
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 50 },
      ],
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 3) return;
            const a = u.posToVal(u.select.left, 'x');
            const b = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoom.current(Math.floor(a * 1e6), Math.ceil(b * 1e6));
          },
        ],
      },
    };
    const plot = new uPlot(opts, [xs, ys], host);
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(200, host.clientWidth), height: HEIGHT }));
    ro.observe(host);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [data]);

  return (
    <div class="histogram" ref={el} data-buckets={data.buckets.map((b) => b.count).join(',')} data-total={String(data.total)}
      title="Drag across the chart to zoom into that time span" />
  );
}
