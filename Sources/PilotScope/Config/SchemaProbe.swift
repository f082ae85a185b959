/// A `Decoder` that decodes nothing: it runs a type's `init(from:)` and records the keys it
/// asks for (`decode`: required, `decodeIfPresent`: optional) and their types, answering with
/// placeholder values. So the schema follows the Codable types as the loader sees them.
enum SchemaProbe {
    static func node<T: Decodable>(_ type: T.Type) -> SchemaNode {
        if T.self == String.self { return .string }
        if T.self == Int.self { return .integer }
        if T.self == Double.self { return .number }
        if T.self == Bool.self { return .boolean }
        if let o = T.self as? any SchemaOneOrMany.Type { return .oneOrMany(o.elementNode) }
        if let m = T.self as? any SchemaStringMap.Type { return .map(m.valueNode) }
        if let a = T.self as? any SchemaArray.Type { return .array(a.elementNode) }
        let record = Record()
        _ = try? T(from: Probe(record: record))
        return .object(record.properties)
    }

    /// A placeholder value of a type the probe was asked to decode as required.
    static func placeholder<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: Probe(record: Record()))
    }

    final class Record {
        var properties: [(name: String, node: SchemaNode, required: Bool)] = []
        func add(_ key: CodingKey, _ node: SchemaNode, required: Bool) {
            if !properties.contains(where: { $0.name == key.stringValue }) { properties.append((key.stringValue, node, required)) }
        }
    }

    struct Probe: Decoder {
        let record: Record
        var codingPath: [CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] = [:]

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            KeyedDecodingContainer(Keyed<Key>(record: record))
        }
        func unkeyedContainer() throws -> UnkeyedDecodingContainer { Unkeyed() }
        func singleValueContainer() throws -> SingleValueDecodingContainer { Single() }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let record: Record
        var codingPath: [CodingKey] = []
        var allKeys: [Key] { [] }
        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            record.add(key, SchemaProbe.node(T.self), required: true)
            return try SchemaProbe.placeholder(T.self)
        }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            record.add(key, SchemaProbe.node(T.self), required: false)
            return nil
        }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { optional(String.self, key) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { optional(Int.self, key) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { optional(Double.self, key) }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { optional(Bool.self, key) }

        private func optional<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
            record.add(key, SchemaProbe.node(T.self), required: false)
            return nil
        }

        func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey key: Key) throws -> KeyedDecodingContainer<N> {
            KeyedDecodingContainer(Keyed<N>(record: Record()))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { Unkeyed() }
        func superDecoder() throws -> Decoder { Probe(record: Record()) }
        func superDecoder(forKey key: Key) throws -> Decoder { Probe(record: Record()) }
    }

    /// An empty list: the element type is read from the type itself (`SchemaArray`).
    struct Unkeyed: UnkeyedDecodingContainer {
        var codingPath: [CodingKey] = []
        var count: Int? { 0 }
        var isAtEnd: Bool { true }
        var currentIndex: Int { 0 }
        mutating func decodeNil() throws -> Bool { false }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try SchemaProbe.placeholder(T.self) }
        mutating func nestedContainer<N: CodingKey>(keyedBy type: N.Type) throws -> KeyedDecodingContainer<N> {
            KeyedDecodingContainer(Keyed<N>(record: Record()))
        }
        mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { Unkeyed() }
        mutating func superDecoder() throws -> Decoder { Probe(record: Record()) }
    }

    struct Single: SingleValueDecodingContainer {
        var codingPath: [CodingKey] = []
        func decodeNil() -> Bool { false }
        func decode(_ type: String.Type) throws -> String { "" }
        func decode(_ type: Bool.Type) throws -> Bool { false }
        func decode(_ type: Int.Type) throws -> Int { 0 }
        func decode(_ type: Double.Type) throws -> Double { 0 }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try SchemaProbe.placeholder(T.self) }
    }
}

/// Types whose schema the probe cannot see by decoding (their decoders branch on the input).
protocol SchemaOneOrMany { static var elementNode: SchemaNode { get } }
protocol SchemaStringMap { static var valueNode: SchemaNode { get } }
protocol SchemaArray { static var elementNode: SchemaNode { get } }

extension OneOrMany: SchemaOneOrMany {
    static var elementNode: SchemaNode { SchemaProbe.node(T.self) }
}

extension Dictionary: SchemaStringMap where Key == String, Value: Decodable {
    static var valueNode: SchemaNode { SchemaProbe.node(Value.self) }
}

extension Array: SchemaArray where Element: Decodable {
    static var elementNode: SchemaNode { SchemaProbe.node(Element.self) }
}
