import Crypto
import Fluent
import Foundation
import Vapor

/// Sealing of personal numbers (resident ID numbers): AES-GCM for the stored value, and an
/// HMAC-SHA256 keyed hash for look-ups and uniqueness, so the database alone gives neither.
/// The key is `FUGONG_DATA_KEY` (32 bytes, base64) or, when unset, a key file made on first
/// start in the data folder (readable by the owner only). Tests get a fresh key each run.
struct PersonalData: Sendable {
    private let key: SymmetricKey

    init(key: SymmetricKey) { self.key = key }

    static func load(_ settings: Settings, testing: Bool, logger: Logger) throws -> PersonalData {
        if let text = Environment.get("FUGONG_DATA_KEY"), !text.isEmpty {
            guard let data = Data(base64Encoded: text), data.count == 32 else {
                throw AppError.internalError("FUGONG_DATA_KEY must be 32 bytes in base64")
            }
            return PersonalData(key: SymmetricKey(data: data))
        }
        if testing { return PersonalData(key: SymmetricKey(size: .bits256)) }
        let path = URL(fileURLWithPath: settings.dataDirectory).appendingPathComponent("personal-data.key").path
        if let data = FileManager.default.contents(atPath: path), data.count == 32 {
            return PersonalData(key: SymmetricKey(data: data))
        }
        try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        // Made only if no one made it meanwhile: two first starts on one shared folder then
        // both use the first one's key.
        let descriptor = Glibc.open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            // The other start may still be writing it.
            let failure = errno
            for _ in 0..<(failure == EEXIST ? 40 : 0) {
                if let data = FileManager.default.contents(atPath: path), data.count == 32 { return PersonalData(key: SymmetricKey(data: data)) }
                usleep(50_000)
            }
            throw AppError.internalError("cannot write the personal-data key")
        }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, 32) }
        fsync(descriptor)
        Glibc.close(descriptor)
        guard written == 32 else { throw AppError.internalError("cannot write the personal-data key") }
        logger.notice("Made a new personal-data key; keep it with the database backups, or set FUGONG_DATA_KEY")
        return PersonalData(key: key)
    }

    /// Names the key without giving it away: an HMAC of a fixed text.
    var fingerprint: String { String(hash("fugong personal-data key").prefix(16)) }

    /// The database remembers the key it was sealed with; an instance that has another (its own
    /// data folder, a mistyped `FUGONG_DATA_KEY`) refuses to start instead of sealing with it.
    static func checkFingerprint(_ personalData: PersonalData, on db: any Database) async throws {
        let key = "personalDataKey"
        if let stored = try await PlatformFlag.query(on: db).filter(\.$key == key).first() {
            guard stored.value == personalData.fingerprint else {
                throw AppError.internalError("""
                    This database's personal data was sealed with another key (fingerprint \(stored.value), this \
                    instance has \(personalData.fingerprint)). Give every instance the same FUGONG_DATA_KEY, or the \
                    key file of the data folder the database was made with.
                    """)
            }
        } else {
            try await PlatformFlag(key: key, value: personalData.fingerprint).create(on: db)
        }
    }

    func seal(_ text: String) throws -> String {
        try AES.GCM.seal(Data(text.utf8), using: key).combined!.base64EncodedString()
    }

    func open(_ sealed: String) throws -> String {
        guard let data = Data(base64Encoded: sealed) else { throw AppError.internalError("sealed value is not base64") }
        return String(decoding: try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key), as: UTF8.self)
    }

    /// The same input always gives the same hash under one key: for unique indexes and search.
    func hash(_ text: String) -> String {
        // Hex by table: `String(format:)` per byte cost a roster import a third of its time.
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// A gate pass: ten characters from an alphabet without look-alikes (no 0/O, 1/I/L).
    static let passAlphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    static let passLength = 10

    /// Whether typed text has the shape of a pass (any case), rather than an employee number.
    static func looksLikePass(_ text: String) -> Bool {
        text.count == passLength && text.uppercased().allSatisfy(passAlphabet.contains)
    }

    /// A short code for a day, from the key: what a gate pass shows.
    func passCode(_ subject: String) -> String {
        let bytes = Array(HMAC<SHA256>.authenticationCode(for: Data(("pass:" + subject).utf8), using: key))
        return String(bytes.prefix(Self.passLength).map { Self.passAlphabet[Int($0) % Self.passAlphabet.count] })
    }
}

extension Application {
    private struct PersonalDataKey: StorageKey { typealias Value = PersonalData }

    /// Set in `configure`.
    var personalData: PersonalData {
        get { storage[PersonalDataKey.self]! }
        set { storage[PersonalDataKey.self] = newValue }
    }

    /// Set before `configure` (a test's second instance shares the first one's key), or nil.
    var presetPersonalData: PersonalData? { storage[PersonalDataKey.self] }
}
