/** A bar chart of dollars with chart.js, tree-shaken to the bar chart's parts, animation off. */

import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js'
import { useEffect, useRef } from 'preact/hooks'
import { money } from '../format.ts'

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend)
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
Chart.defaults.animation = false

interface SpendChartProps {
  /** The canvas's accessible name, e.g. "Spend per day". */
  readonly label: string
  readonly categories: readonly string[]
  readonly values: readonly number[]
}

function cssColour (name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim()
  return value === '' ? fallback : value
}

export function SpendChart ({ label, categories, values }: SpendChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null)
  const chart = useRef<Chart<'bar'> | null>(null)

  useEffect(() => {
    if (canvas.current === null) return
    const text = cssColour('--text-muted', '#555')
    const grid = cssColour('--border', '#ddd')
    chart.current = new Chart(canvas.current, {
      type: 'bar',
      data: { labels: [], datasets: [{ label: 'Spend (USD)', data: [], backgroundColor: cssColour('--chart-bar', '#2563eb'), maxBarThickness: 48 }] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { labels: { color: text } },
          tooltip: { callbacks: { label: item => money(item.parsed.y) } }
        },
        scales: {
          x: { ticks: { color: text }, grid: { color: grid } },
          y: { beginAtZero: true, ticks: { color: text, callback: value => `$${value}` }, grid: { color: grid } }
        }
      }
    })
    return () => {
      chart.current?.destroy()
      chart.current = null
    }
  }, [])

  useEffect(() => {
    const current = chart.current
    const dataset = current?.data.datasets[0]
    if (current === null || dataset === undefined) return
    current.data.labels = [...categories]
    dataset.data = [...values]
    current.update()
  }, [categories, values])

  return (
    <div class='chart-box'>
      <canvas ref={canvas} role='img' aria-label={label}>
        {label}: the numbers are in the table beside the chart.
      </canvas>
    </div>
  )
}
