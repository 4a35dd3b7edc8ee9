import { useEffect, useRef } from 'react';
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';

// Only what a bar chart uses: the rest of Chart.js stays out of the bundle.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export interface Bar {
  label: string;
  value: number;
}

/**
 * A bar chart on a canvas. Chart.js sets the canvas's size through the CSSOM only (no style
 * attribute in markup, no <style> element), which the console's CSP allows. The canvas says
 * nothing to a screen reader: the same numbers are in the table beside it.
 */
export function BarChart({ bars, label, id }: { bars: Bar[]; label: string; id: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const css = getComputedStyle(document.documentElement);
    const color = css.getPropertyValue('--accent').trim() || '#1d4f91';
    const ink = css.getPropertyValue('--ink').trim() || '#1a1a1a';
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels: bars.map((b) => b.label), datasets: [{ label, data: bars.map((b) => b.value), backgroundColor: color }] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        locale: 'fr-FR',
        plugins: { tooltip: { enabled: true } },
        scales: {
          x: { ticks: { color: ink, autoSkip: true, maxRotation: 0 } },
          y: { beginAtZero: true, ticks: { color: ink, precision: 0 } },
        },
      },
    });
    // What was drawn, for the page's tests: the bars Chart.js laid out and their values.
    canvas.current.dataset.bars = String(chart.getDatasetMeta(0).data.length);
    canvas.current.dataset.values = bars.map((b) => b.value).join(',');
    return () => chart.destroy();
  }, [bars, label]);
  return (
    <div className="chart">
      <canvas ref={canvas} id={id} role="img" aria-label={`${label} : graphique en barres, les mêmes chiffres sont dans le tableau`} />
    </div>
  );
}
