// Hand-drawn SVG charts: no chart library, scale to their container, and carry an accessible
// name (role="img" + aria-label) summarising the data for screen readers.

const PALETTE = ['#1d4ed8', '#b45309', '#047857', '#be123c', '#6d28d9', '#0e7490', '#4d7c0f', '#a21caf'];

export function colorFor(index: number): string {
  return PALETTE[index % PALETTE.length];
}

function summary(items: { label: string; value: number }[], format: (v: number) => string) {
  return items.map((i) => `${i.label}: ${format(i.value)}`).join(', ');
}

/** Horizontal bars, one row per item: readable on a phone however long the labels are. */
export function BarChart(props: {
  title: string;
  items: { label: string; value: number }[];
  format?: (v: number) => string;
  testId?: string;
}) {
  const format = props.format ?? ((v: number) => String(v));
  const max = Math.max(1, ...props.items.map((i) => i.value));
  const rowHeight = 28;
  const height = Math.max(1, props.items.length) * rowHeight + 4;
  return (
    <figure class="chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      {props.items.length === 0 ? (
        <p class="chart-empty">No data yet.</p>
      ) : (
        <svg viewBox={`0 0 320 ${height}`} role="img" aria-label={`${props.title}. ${summary(props.items, format)}`}>
          {props.items.map((item, i) => {
            const y = i * rowHeight + 2;
            const width = (item.value / max) * 180;
            return (
              <g key={item.label}>
                <text x="0" y={y + 17} class="chart-label">
                  {item.label.length > 14 ? `${item.label.slice(0, 13)}…` : item.label}
                </text>
                <rect x="100" y={y + 4} width={Math.max(width, 1)} height={rowHeight - 10} rx="3" fill={colorFor(i)} />
                <text x={104 + width} y={y + 17} class="chart-value">
                  {format(item.value)}
                </text>
              </g>
            );
          })}
        </svg>
      )}
    </figure>
  );
}

/** Vertical columns over ordered buckets (histograms, answers per item). */
export function ColumnChart(props: {
  title: string;
  items: { label: string; value: number }[];
  xLabel: string;
  testId?: string;
}) {
  const max = Math.max(1, ...props.items.map((i) => i.value));
  const n = Math.max(1, props.items.length);
  const plotWidth = 300;
  const plotHeight = 120;
  const slot = plotWidth / n;
  return (
    <figure class="chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      {props.items.every((i) => i.value === 0) ? (
        <p class="chart-empty">No data yet.</p>
      ) : (
        <svg viewBox="0 0 320 170" role="img" aria-label={`${props.title}. ${summary(props.items, String)}`}>
          <line x1="10" y1={plotHeight + 10} x2="310" y2={plotHeight + 10} class="chart-axis" />
          {props.items.map((item, i) => {
            const h = (item.value / max) * (plotHeight - 14);
            const x = 10 + i * slot;
            return (
              <g key={item.label}>
                <rect x={x + slot * 0.12} y={plotHeight + 10 - h} width={slot * 0.76} height={h} rx="2" fill={colorFor(0)} />
                {item.value > 0 && (
                  <text x={x + slot / 2} y={plotHeight + 6 - h} class="chart-value" text-anchor="middle">
                    {item.value}
                  </text>
                )}
                <text x={x + slot / 2} y={plotHeight + 24} class="chart-tick" text-anchor="middle">
                  {item.label}
                </text>
              </g>
            );
          })}
          <text x="160" y="166" class="chart-tick" text-anchor="middle">
            {props.xLabel}
          </text>
        </svg>
      )}
    </figure>
  );
}

/** A line over time with values in [0, 1] (accuracy history). */
export function LineChart(props: { title: string; points: { label: string; value: number }[]; testId?: string }) {
  const w = 320;
  const h = 160;
  const left = 34;
  const bottom = 24;
  const plotW = w - left - 10;
  const plotH = h - bottom - 10;
  const n = props.points.length;
  const x = (i: number) => left + (n <= 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const y = (v: number) => 10 + (1 - Math.min(1, Math.max(0, v))) * plotH;
  const path = props.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  return (
    <figure class="chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      {n === 0 ? (
        <p class="chart-empty">No gold answers scored yet: accuracy appears after your first gold questions.</p>
      ) : (
        <svg
          viewBox={`0 0 ${w} ${h}`}
          role="img"
          aria-label={`${props.title}. ${summary(props.points, (v) => `${Math.round(v * 100)}%`)}`}
        >
          {[0, 0.5, 1].map((t) => (
            <g key={t}>
              <line x1={left} x2={w - 10} y1={y(t)} y2={y(t)} class="chart-gridline" />
              <text x={left - 4} y={y(t) + 4} class="chart-tick" text-anchor="end">
                {Math.round(t * 100)}%
              </text>
            </g>
          ))}
          <path d={path} fill="none" stroke={colorFor(0)} stroke-width="2.5" stroke-linejoin="round" />
          {props.points.map((p, i) => (
            <circle key={p.label} cx={x(i)} cy={y(p.value)} r="3.5" fill={colorFor(0)}>
              <title>{`${p.label}: ${Math.round(p.value * 100)}%`}</title>
            </circle>
          ))}
          <text x={left} y={h - 6} class="chart-tick">
            {props.points[0].label}
          </text>
          {n > 1 && (
            <text x={w - 10} y={h - 6} class="chart-tick" text-anchor="end">
              {props.points[n - 1].label}
            </text>
          )}
        </svg>
      )}
    </figure>
  );
}

/** A confusion matrix as a heat map: rows are the expected (gold / consensus) labels. */
export function Heatmap(props: { title: string; labels: string[]; matrix: number[][]; testId?: string }) {
  const n = props.labels.length;
  const cell = n > 0 ? Math.min(48, 240 / n) : 48;
  const left = 80;
  const top = 70;
  const size = left + n * cell + 4;
  const max = Math.max(1, ...props.matrix.flat());
  const total = props.matrix.flat().reduce((a, b) => a + b, 0);
  const short = (s: string) => (s.length > 10 ? `${s.slice(0, 9)}…` : s);
  return (
    <figure class="chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      {n === 0 || total === 0 ? (
        <p class="chart-empty">No scored answers yet.</p>
      ) : (
        <svg
          viewBox={`0 0 ${Math.max(size, 200)} ${top + n * cell + 4}`}
          role="img"
          aria-label={`${props.title}. ${props.labels
            .map((l, r) => `${l}: ${props.labels.map((m, c) => `${props.matrix[r]?.[c] ?? 0} as ${m}`).join(', ')}`)
            .join('; ')}`}
        >
          {props.labels.map((l, c) => (
            <text key={`c${l}`} x={left + c * cell + cell / 2} y={top - 6} class="chart-tick" text-anchor="start" transform={`rotate(-45 ${left + c * cell + cell / 2} ${top - 6})`}>
              {short(l)}
            </text>
          ))}
          {props.labels.map((l, r) => (
            <g key={`r${l}`}>
              <text x={left - 6} y={top + r * cell + cell / 2 + 4} class="chart-tick" text-anchor="end">
                {short(l)}
              </text>
              {props.labels.map((_, c) => {
                const v = props.matrix[r]?.[c] ?? 0;
                const strength = v / max;
                return (
                  <g key={c}>
                    <rect
                      x={left + c * cell}
                      y={top + r * cell}
                      width={cell - 2}
                      height={cell - 2}
                      rx="2"
                      fill={r === c ? '#1d4ed8' : '#be123c'}
                      fill-opacity={0.08 + 0.92 * strength}
                    />
                    <text
                      x={left + c * cell + cell / 2 - 1}
                      y={top + r * cell + cell / 2 + 4}
                      class="chart-cell"
                      fill={strength > 0.5 ? '#ffffff' : '#111827'}
                      text-anchor="middle"
                    >
                      {v}
                    </text>
                  </g>
                );
              })}
            </g>
          ))}
        </svg>
      )}
    </figure>
  );
}

/** Completion as a thick progress bar with the percentage written out. */
export function CompletionBar(props: { completion: number; retired: number; total: number }) {
  const pct = Math.round(Math.min(1, Math.max(0, props.completion)) * 100);
  return (
    <div class="completion" data-testid="completion">
      <div class="completion-head">
        <span>Completion</span>
        <strong>{pct}%</strong>
      </div>
      <div class="completion-track" role="progressbar" aria-label="Project completion" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <div class="completion-fill" style={{ width: `${pct}%` }} />
      </div>
      <p class="hint">
        {props.retired} of {props.total} items retired
      </p>
    </div>
  );
}
