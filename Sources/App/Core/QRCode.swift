import Foundation

/// A QR code (ISO/IEC 18004), byte mode, error correction level M, versions 1–6 (up to 106
/// bytes): enough for a gate pass. Drawn on the server as SVG so a phone shows it without
/// scripts. The construction follows the standard step by step: data bits, Reed–Solomon
/// blocks, function patterns, the zigzag placement, and the mask with the lowest penalty.
struct QRCode {
    let size: Int
    /// `modules[y][x]`: true is dark.
    private(set) var modules: [[Bool]]
    private var isFunction: [[Bool]]

    enum Problem: Error { case tooLong }

    /// Data codewords and error-correction codewords per block, and blocks, at level M.
    private static let versions: [(data: Int, ecc: Int, blocks: Int)] = [
        (16, 10, 1), (28, 16, 1), (44, 26, 1), (32, 18, 2), (43, 24, 2), (27, 16, 4),
    ]
    private static let alignment: [[Int]] = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34]]

    init(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard let index = Self.versions.firstIndex(where: { $0.data * $0.blocks * 8 >= 4 + 8 + bytes.count * 8 }) else { throw Problem.tooLong }
        let version = index + 1
        let shape = Self.versions[index]
        size = version * 4 + 17
        modules = Array(repeating: Array(repeating: false, count: size), count: size)
        isFunction = modules

        // Data bits: byte mode, count, data, terminator, padding.
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) { for i in (0..<count).reversed() { bits.append((value >> i) & 1 == 1) } }
        append(0b0100, 4)
        append(bytes.count, 8)
        for byte in bytes { append(Int(byte), 8) }
        let capacity = shape.data * shape.blocks * 8
        append(0, min(4, capacity - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var data: [UInt8] = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(0) { $0 << 1 | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while data.count < shape.data * shape.blocks { data.append(pad); pad ^= 0xEC ^ 0x11 }

        // Blocks, their error correction, interleaved.
        let divisor = Self.divisor(degree: shape.ecc)
        let blocks = (0..<shape.blocks).map { Array(data[$0 * shape.data..<($0 + 1) * shape.data]) }
        let eccs = blocks.map { Self.remainder($0, divisor) }
        var codewords: [UInt8] = []
        for i in 0..<shape.data { for block in blocks { codewords.append(block[i]) } }
        for i in 0..<shape.ecc { for ecc in eccs { codewords.append(ecc[i]) } }

        drawFunctionPatterns(version: version)
        drawCodewords(codewords)
        var best = (mask: 0, penalty: Int.max)
        for mask in 0..<8 {
            applyMask(mask)
            drawFormat(mask: mask)
            let penalty = self.penalty()
            if penalty < best.penalty { best = (mask, penalty) }
            applyMask(mask)
        }
        applyMask(best.mask)
        drawFormat(mask: best.mask)
    }

    // MARK: Drawing

    private mutating func set(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y][x] = dark
        isFunction[y][x] = true
    }

    private mutating func drawFunctionPatterns(version: Int) {
        for i in 0..<size {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 {
                    let x = cx + dx, y = cy + dy
                    guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                    let distance = max(abs(dx), abs(dy))
                    set(x, y, distance != 2 && distance != 4)
                }
            }
        }
        let positions = Self.alignment[version - 1]
        for (i, cx) in positions.enumerated() {
            for (j, cy) in positions.enumerated() {
                let corner = (i == 0 && j == 0) || (i == 0 && j == positions.count - 1) || (i == positions.count - 1 && j == 0)
                guard !corner else { continue }
                for dy in -2...2 {
                    for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
        drawFormat(mask: 0)
    }

    /// The 15 format bits (level M, the mask, BCH-protected), in both copies, and the dark module.
    private mutating func drawFormat(mask: Int) {
        let value = 0b00 << 3 | mask
        var remainder = value
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = (value << 10 | remainder) ^ 0x5412
        let bit = { (i: Int) in (bits >> i) & 1 == 1 }
        for i in 0...5 { set(8, i, bit(i)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for i in 9..<15 { set(14 - i, 8, bit(i)) }
        for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
        set(8, size - 8, true)
    }

    /// Codeword bits up and down two-column strips from the right, skipping the timing column.
    private mutating func drawCodewords(_ codewords: [UInt8]) {
        var i = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for j in 0..<2 {
                    let x = right - j
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vertical : vertical
                    if !isFunction[y][x] && i < codewords.count * 8 {
                        modules[y][x] = (codewords[i >> 3] >> (7 - (i & 7))) & 1 == 1
                        i += 1
                    }
                }
            }
            right -= 2
        }
    }

    /// XORs the mask over the data modules; applying it twice undoes it.
    private mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y][x] {
                let flip = switch mask {
                case 0: (x + y) % 2 == 0
                case 1: y % 2 == 0
                case 2: x % 3 == 0
                case 3: (x + y) % 3 == 0
                case 4: (x / 3 + y / 2) % 2 == 0
                case 5: x * y % 2 + x * y % 3 == 0
                case 6: (x * y % 2 + x * y % 3) % 2 == 0
                default: ((x + y) % 2 + x * y % 3) % 2 == 0
                }
                if flip { modules[y][x].toggle() }
            }
        }
    }

    /// The standard's penalty rules 1, 2 and 4 (runs, blocks, balance): enough to avoid the
    /// masks a reader finds hardest.
    private func penalty() -> Int {
        var total = 0
        for line in 0..<size {
            var (rowRun, columnRun) = (1, 1)
            for i in 1..<size {
                if modules[line][i] == modules[line][i - 1] { rowRun += 1 } else { rowRun = 1 }
                if rowRun == 5 { total += 3 } else if rowRun > 5 { total += 1 }
                if modules[i][line] == modules[i - 1][line] { columnRun += 1 } else { columnRun = 1 }
                if columnRun == 5 { total += 3 } else if columnRun > 5 { total += 1 }
            }
        }
        for y in 0..<size - 1 {
            for x in 0..<size - 1 {
                let colour = modules[y][x]
                if modules[y][x + 1] == colour && modules[y + 1][x] == colour && modules[y + 1][x + 1] == colour { total += 3 }
            }
        }
        let dark = modules.joined().filter { $0 }.count
        total += abs(dark * 20 - size * size * 10) / (size * size) * 10
        return total
    }

    // MARK: Reed–Solomon over GF(2⁸) with the polynomial 0x11D

    private static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for i in (0..<8).reversed() {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= ((Int(y) >> i) & 1) * Int(x)
        }
        return UInt8(z)
    }

    private static func divisor(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                result[j] = multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    private static func remainder(_ data: [UInt8], _ divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for i in result.indices { result[i] ^= multiply(divisor[i], factor) }
        }
        return result
    }

    // MARK: SVG

    /// Dark modules as one path, with the standard four-module quiet zone, scaled by the page.
    func svg(label: String) -> String {
        var path = ""
        for y in 0..<size {
            for x in 0..<size where modules[y][x] { path += "M\(x + 4) \(y + 4)h1v1h-1z" }
        }
        let side = size + 8
        let escaped = label.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;")
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="\(side * 8)" height="\(side * 8)" role="img" aria-label="\(escaped)" \
            shape-rendering="crispEdges"><rect width="\(side)" height="\(side)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
            """
    }
}
