import Foundation

/// Bar charts drawn on the server as SVG: no script, no inline style, so they pass the
/// Content-Security-Policy and print. Numbers people compare are shown as bars, with the table
/// beside them for screen readers.
struct BarChart: Encodable {
    struct Bar: Encodable {
        let label: String
        let value: Int
        let y: Int
        let width: Int
        let secondValue: Int?
        let secondWidth: Int?
        /// Where the value's label starts, just right of the longer bar.
        let textX: Int
    }

    let bars: [Bar]
    let height: Int
    let title: String
    let legend: String
    let secondLegend: String?

    static let labelWidth = 90, plotWidth = 220, rowHeight = 28

    init(title: String, legend: String, secondLegend: String? = nil, rows: [(label: String, value: Int, second: Int?)]) {
        let top = max(1, rows.map { max($0.value, $0.second ?? 0) }.max() ?? 1)
        bars = rows.enumerated().map { index, row in
            let width = max(row.value > 0 ? 2 : 0, row.value * Self.plotWidth / top)
            let second = row.second.map { max($0 > 0 ? 2 : 0, $0 * Self.plotWidth / top) }
            return Bar(label: row.label, value: row.value, y: index * Self.rowHeight, width: width,
                       secondValue: row.second, secondWidth: second, textX: Self.labelWidth + max(width, second ?? 0) + 5)
        }
        height = max(1, rows.count) * Self.rowHeight
        self.title = title
        self.legend = legend
        self.secondLegend = secondLegend
    }
}

/// A line chart drawn on the server as SVG: one line per series over the same days, with a
/// value axis (0, half, top) and a day label every few days. The data's table stays beside it.
struct LineChart: Encodable {
    struct Line: Encodable {
        let label: String
        let points: String
        let colour: String
        let last: String
    }

    struct Tick: Encodable {
        let x: Int
        let y: Int
        let label: String
    }

    let title: String
    let lines: [Line]
    let xTicks: [Tick]
    let yTicks: [Tick]
    let width = LineChart.width, height = LineChart.height
    static let width = 360, height = 200
    static let left = 58, right = 8, top = 10, bottom = 24
    static let colours = ["#a8201a", "#0b57a4", "#17612f", "#7a4b00", "#5b2a86", "#1d2733"]

    /// `days` are the x labels; each series has a value per day (nil: nothing to show that day).
    init(title: String, days: [String], series: [(label: String, values: [Double?])], format: (Double) -> String) {
        self.title = title
        let top = max(1, series.flatMap { $0.values.compactMap { $0 } }.max() ?? 1)
        let plotWidth = Double(Self.width - Self.left - Self.right), plotHeight = Double(Self.height - Self.top - Self.bottom)
        func x(_ index: Int) -> Double { Double(Self.left) + (days.count > 1 ? plotWidth * Double(index) / Double(days.count - 1) : plotWidth / 2) }
        func y(_ value: Double) -> Double { Double(Self.top) + plotHeight * (1 - value / top) }
        lines = series.enumerated().map { index, series in
            let points = series.values.enumerated().compactMap { day, value in
                value.map { String(format: "%.1f,%.1f", x(day), y($0)) }
            }.joined(separator: " ")
            return Line(label: series.label, points: points, colour: Self.colours[index % Self.colours.count],
                        last: series.values.last.flatMap { $0 }.map(format) ?? "—")
        }
        let step = max(1, days.count / 6)
        xTicks = stride(from: 0, to: days.count, by: step).map { Tick(x: Int(x($0)), y: Self.height - 6, label: String(days[$0].suffix(5))) }
        yTicks = [0, top / 2, top].map { Tick(x: Self.left - 4, y: Int(y($0)) + 4, label: format($0)) }
    }
}
