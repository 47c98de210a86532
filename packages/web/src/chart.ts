/**
 * Chart.js, tree-shaken to bar charts and loaded only by the dashboard (a dynamic import, so the
 * customer's and the display's bundles stay without it).
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';
import type { ChartSpec } from './logic/metrics';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface DrawnChart {
  update(spec: ChartSpec): void;
  destroy(): void;
}

const dataOf = (spec: ChartSpec) => ({
  labels: spec.labels,
  datasets: spec.datasets.map((d) => ({
    label: d.label,
    data: d.data,
    backgroundColor: d.colour,
    borderWidth: 0,
    maxBarThickness: 56,
  })),
});

export const drawBarChart = (canvas: HTMLCanvasElement, spec: ChartSpec): DrawnChart => {
  const valueAxis = {
    stacked: spec.stacked,
    beginAtZero: true,
    ticks: { precision: 0 },
    title: { display: true, text: spec.unit },
  };
  const categoryAxis = { stacked: spec.stacked, grid: { display: false } };
  const chart = new Chart(canvas, {
    type: 'bar',
    data: dataOf(spec),
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: spec.horizontal ? 'y' : 'x',
      scales: spec.horizontal
        ? { x: valueAxis, y: categoryAxis }
        : { x: categoryAxis, y: valueAxis },
      plugins: {
        legend: { display: spec.datasets.length > 1, position: 'bottom' },
        tooltip: { enabled: true },
      },
    },
  });
  return {
    update(next) {
      chart.data = dataOf(next);
      chart.update('none');
    },
    destroy: () => chart.destroy(),
  };
};
