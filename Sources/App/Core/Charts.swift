import Foundation

/// Bar charts drawn on the server as SVG: no script, no inline style, so they pass the
/// Content-Security-Policy and print. Each row's label stands on its own line above its bar, so
/// a long name never runs into a bar, on a phone or not; the value follows the bar; an axis with
/// gridlines at 0, half and the top gives the scale. One measure per chart (a second series
/// shares the first one's unit: contacts and enterprises, postings and applications). A row
/// with nothing to measure (a day without tickets) shows no bar and says so, never a zero.
/// `core/bar-chart` draws it, with the numbers in a table beside it.
struct BarChart: Encodable {
    struct Bar: Encodable {
        let label: String
        let y: Int
        let labelY: Int
        let barY: Int
        let barHeight: Int
        let width: Int
        /// The value as shown ("85 %", "—").
        let text: String
        let textX: Int
        let textY: Int
        let second: Second?
    }

    struct Second: Encodable {
        let barY: Int
        let width: Int
        let text: String
        let textX: Int
        let textY: Int
    }

    struct Tick: Encodable {
        let x: Int
        let label: String
        let anchor: String
    }

    struct Row: Encodable {
        let label: String
        let value: String
        let second: String?
    }

    let title: String
    let legend: String
    let secondLegend: String?
    let unit: String?
    let bars: [Bar]
    let ticks: [Tick]
    let rows: [Row]
    let axisY: Int
    let tickLabelY: Int
    let height: Int
    let width = BarChart.width
    let plotRight = BarChart.left + BarChart.plotWidth

    static let width = 360, left = 4, plotWidth = 280

    /// `rows`: a label and a value per row (nil: nothing to measure that row), and the second
    /// series' value if any. `maximum` fixes the scale's top (100 for percentages); `suffix`
    /// follows each value ("%"); `noData` says why a row has no bar; with `tenths`, every value
    /// and tick is in tenths of the unit and reads with one decimal.
    init(title: String, legend: String, secondLegend: String? = nil, unit: String? = nil, maximum: Int? = nil,
         suffix: String = "", noData: String = "—", tenths: Bool = false, values rows: [(label: String, value: Int?, second: Int?)]) {
        let largest = rows.flatMap { [$0.value ?? 0, $0.second ?? 0] }.max() ?? 0
        let top = maximum ?? Self.niceTop(largest)
        let double = secondLegend != nil
        let rowHeight = double ? 50 : 40
        func width(_ value: Int) -> Int { value <= 0 ? 0 : max(2, min(Self.plotWidth, value * Self.plotWidth / top)) }
        // With `tenths`, values are tenths of the unit and read with one decimal ("2.6", not a rounded "3").
        func number(_ value: Int) -> String { tenths && value != 0 ? String(format: "%.1f", Double(value) / 10) : String(value) }
        func text(_ value: Int?) -> String { value.map { "\(number($0))\(suffix)" } ?? noData }
        bars = rows.enumerated().map { index, row in
            let y = index * rowHeight, first = width(row.value ?? 0)
            let barHeight = double ? 12 : 14
            return Bar(label: row.label, y: y, labelY: y + 13, barY: y + 18, barHeight: barHeight, width: first, text: text(row.value),
                       textX: Self.left + first + 4, textY: y + 18 + barHeight - 2,
                       second: double ? Second(barY: y + 31, width: width(row.second ?? 0), text: text(row.second),
                                               textX: Self.left + width(row.second ?? 0) + 4, textY: y + 41) : nil)
        }
        axisY = max(1, rows.count) * rowHeight + 2
        tickLabelY = axisY + 14
        height = axisY + 20
        ticks = (top > 1 ? [(0, "start"), (top / 2, "middle"), (top, "middle")] : [(0, "start"), (top, "middle")]).map {
            Tick(x: Self.left + $0.0 * Self.plotWidth / top, label: "\(number($0.0))\(suffix)", anchor: $0.1)
        }
        self.rows = rows.map { Row(label: $0.label, value: text($0.value), second: double ? text($0.second) : nil) }
        self.title = title
        self.legend = legend
        self.secondLegend = secondLegend
        self.unit = unit
    }

    /// Counts, always measured.
    init(title: String, legend: String, secondLegend: String? = nil, unit: String? = nil, rows: [(label: String, value: Int, second: Int?)]) {
        self.init(title: title, legend: legend, secondLegend: secondLegend, unit: unit,
                  values: rows.map { (label: $0.label, value: Optional($0.value), second: $0.second) })
    }

    /// The scale's top: 1, 2, 2.5 or 5 × a power of ten, at or above `value`.
    static func niceTop(_ value: Int) -> Int {
        guard value > 1 else { return 1 }
        var magnitude = 1
        while magnitude * 10 < value { magnitude *= 10 }
        let steps = magnitude >= 10 ? [10, 20, 25, 50, 100].map { $0 * magnitude / 10 } : [1, 2, 5, 10].map { $0 * magnitude }
        return steps.first { $0 >= value } ?? value
    }
}

/// A line chart drawn on the server as SVG: one line per series over the same days, with a
/// value axis (0, half, top) and a day label every few days; a day without a value breaks the
/// line rather than dropping it to zero. The data's table stays beside it.
struct LineChart: Encodable {
    struct Line: Encodable {
        let label: String
        /// One polyline per run of days with a value: a day without one is a gap, not a zero.
        let segments: [String]
        /// All the values joined, drawn faint and dashed under the runs, so the trend reads across a gap.
        let bridge: String
        /// Every value's point, so a day standing alone still shows.
        let dots: [Dot]
        let colour: String
        let last: String
    }

    struct Dot: Encodable {
        let x: String
        let y: String
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
            var segments: [[String]] = [[]]
            var dots: [Dot] = []
            for (day, value) in series.values.enumerated() {
                guard let value else { if !segments[segments.count - 1].isEmpty { segments.append([]) }; continue }
                let (px, py) = (String(format: "%.1f", x(day)), String(format: "%.1f", y(value)))
                segments[segments.count - 1].append("\(px),\(py)")
                dots.append(Dot(x: px, y: py))
            }
            return Line(label: series.label, segments: segments.filter { $0.count > 1 }.map { $0.joined(separator: " ") },
                        bridge: dots.map { "\($0.x),\($0.y)" }.joined(separator: " "), dots: dots,
                        colour: Self.colours[index % Self.colours.count], last: series.values.last.flatMap { $0 }.map(format) ?? "—")
        }
        let step = max(1, days.count / 6)
        xTicks = stride(from: 0, to: days.count, by: step).map { Tick(x: Int(x($0)), y: Self.height - 6, label: String(days[$0].suffix(5))) }
        yTicks = [0, top / 2, top].map { Tick(x: Self.left - 4, y: Int(y($0)) + 4, label: format($0)) }
    }
}
