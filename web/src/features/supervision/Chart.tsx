import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface Series {
  key: string;
  label: string;
  color: string;
  stack?: string;
}

/**
 * One bar chart (Recharts, SVG). The chart is a picture of the table beside it, which carries the
 * same figures for screen readers and keyboards: the chart itself is one labelled image, without
 * focusable parts of its own. Cells the API suppresses ("<5") have no bar; the table shows "<5".
 */
export function BarFigure({
  data,
  series,
  category,
  label,
}: {
  data: Array<Record<string, string | number | null>>;
  series: Series[];
  category: string;
  label: string;
}) {
  return (
    <div role="img" aria-label={label} data-testid="chart">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey={category} tick={{ fill: '#495057', fontSize: 12 }} />
          {/* At least 0–5 on the scale, so a chart whose cells are all "<5" still reads as "small", not as broken. */}
          <YAxis allowDecimals={false} domain={[0, (max: number) => Math.max(max, 5)]} tick={{ fill: '#495057', fontSize: 12 }} width={40} />
          <Tooltip />
          <Legend />
          {series.map((item) => (
            <Bar key={item.key} dataKey={item.key} name={item.label} fill={item.color} stackId={item.stack} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
