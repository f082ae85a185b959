import Foundation

/// `pilotscope schema`: a JSON Schema (draft 2020-12) of `pilotscope.yaml`. Its shape is not
/// written by hand: `SchemaProbe` runs each Codable type's own decoder and records the keys it
/// asks for, their types, and which are required, so a key added to `ConfigFile` appears here.
/// Enumerations and ranges come from the constants the validator uses (`Refinement`s, each at
/// a path that must exist in the probed shape: a renamed key fails the test, not silently).
public enum ConfigSchema {
    public static let id = "https://pilotscope.dev/schema/pilotscope.schema.json"

    /// The schema as pretty JSON with sorted keys, and the refinement paths that matched nothing
    /// (empty unless the types and the refinements drifted apart).
    public static func build() -> (json: String, unresolved: [String]) {
        var node = SchemaProbe.node(ConfigFile.self)
        var unresolved: [String] = []
        for r in refinements() where !node.refine(path: r.path[...], with: r.keywords) { unresolved.append(r.path.joined()) }
        var root = node.json()
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        root["$id"] = id
        root["title"] = "pilotscope.yaml"
        root["description"] = "PilotScope configuration (SPEC 2.1): inputs, dedup, attribution and the pilots with their thresholds."
        let data = (try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return (String(decoding: data, as: UTF8.self) + "\n", unresolved)
    }

    /// Extra keywords at a path: `.key` for a property, `[]` for list items (and for the one
    /// value of a one-or-many key), `.*` for a map's values.
    struct Refinement {
        var path: [String]
        var keywords: [String: Any]
    }

    static let datePattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

    static func refinements() -> [Refinement] {
        func r(_ path: String, _ k: [String: Any]) -> Refinement {
            // "pilots[].motion" → ["pilots", "[]", "motion"]
            var parts: [String] = []
            for piece in path.split(separator: ".") {
                var p = String(piece)
                var items = 0
                while p.hasSuffix("[]") {
                    p.removeLast(2)
                    items += 1
                }
                parts.append(p)
                parts += Array(repeating: "[]", count: items)
            }
            return Refinement(path: parts.map { $0 == "*" ? "*" : $0 }, keywords: k)
        }
        let metric = Metric.allCases.map(\.rawValue).joined(separator: "|")
        let threshold = ["pattern": "^\\s*(\(metric))\\s*(>=|>|<=|<|==)"]
        var out = [
            r("max_reject_rate", ["minimum": 0, "maximum": 1]), r("grace_days", ["minimum": 0]),
            r("attribution.model", ["enum": ["first_touch", "last_touch"]]),
            r("influence.lookback_days", ["minimum": 0, "maximum": 36_600]), r("influence.half_life_days", ["exclusiveMinimum": 0, "maximum": 36_600]),
            r("pilots[].id", ["pattern": "^[a-z0-9-]+$"]), r("pilots[].motion", ["enum": Motion.allCases.map(\.rawValue)]),
            r("pilots[].primary_metric", ["enum": Metric.allCases.map(\.rawValue)]), r("pilots[].start", ["pattern": datePattern]),
            r("pilots[].end", ["pattern": datePattern]), r("pilots[].holidays[]", ["pattern": datePattern]),
            r("pilots[].adjustment[].date", ["pattern": datePattern]), r("pilots[].grace_days", ["minimum": 0]),
            r("pilots[].caps.leads", ["minimum": 0]), r("pilots[].thresholds.scale[]", threshold), r("pilots[].thresholds.stop[]", threshold),
            r("inputs.stage_history[].stages.*", ["enum": Stage.allCases.map(\.rawValue)]),
        ]
        for kind in InputKind.allCases {
            let names = Presets.all.filter { $0.kind == kind }.map(\.name)
            out.append(r("inputs.\(kind.rawValue)[].preset", ["enum": names]))
            out.append(r("inputs.\(kind.rawValue)[].timestamp_format", ["enum": TimestampFormat.allCases.map(\.rawValue)]))
            out.append(r("inputs.\(kind.rawValue)[].delimiter", ["minLength": 1, "maxLength": 1]))
        }
        return out
    }
}

/// A probed shape: what a Codable type's decoder asks for.
indirect enum SchemaNode {
    case string, integer, number, boolean
    case array(SchemaNode)
    /// One value or a list of them (`OneOrMany`).
    case oneOrMany(SchemaNode)
    /// String keys to values (`[String: V]`).
    case map(SchemaNode)
    case object([(name: String, node: SchemaNode, required: Bool)], extra: [String: Any] = [:])
    case refined(SchemaNode, [String: Any])

    func json() -> [String: Any] {
        switch self {
        case .string: return ["type": "string"]
        case .integer: return ["type": "integer"]
        case .number: return ["type": "number"]
        case .boolean: return ["type": "boolean"]
        case .array(let n): return ["type": "array", "items": n.json()]
        case .oneOrMany(let n): return ["oneOf": [n.json(), ["type": "array", "items": n.json()]]]
        case .map(let n): return ["type": "object", "additionalProperties": n.json()]
        case .refined(let n, let k): return n.json().merging(k) { _, new in new }
        case .object(let props, _):
            var p: [String: Any] = [:]
            for x in props { p[x.name] = x.node.json() }
            let required = props.filter(\.required).map(\.name)
            return ["type": "object", "properties": p, "additionalProperties": false].merging(required.isEmpty ? [:] : ["required": required]) { a, _ in a }
        }
    }

    /// Adds `keywords` at `path`; false when the path names nothing.
    mutating func refine(path: ArraySlice<String>, with keywords: [String: Any]) -> Bool {
        guard let head = path.first else {
            self = .refined(self, keywords)
            return true
        }
        let rest = path.dropFirst()
        switch (self, head) {
        case (.array(var n), "[]"):
            defer { self = .array(n) }
            return n.refine(path: rest, with: keywords)
        case (.oneOrMany(var n), "[]"):
            defer { self = .oneOrMany(n) }
            return n.refine(path: rest, with: keywords)
        case (.map(var n), "*"):
            defer { self = .map(n) }
            return n.refine(path: rest, with: keywords)
        case (.refined(var n, let k), _):
            defer { self = .refined(n, k) }
            return n.refine(path: path, with: keywords)
        case (.object(var props, let extra), _):
            guard let i = props.firstIndex(where: { $0.name == head }) else { return false }
            defer { self = .object(props, extra: extra) }
            return props[i].node.refine(path: rest, with: keywords)
        default:
            return false
        }
    }
}
