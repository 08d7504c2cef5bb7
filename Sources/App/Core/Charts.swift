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
