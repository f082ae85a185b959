/// What an input file holds.
public enum InputKind: String, Sendable, CaseIterable {
    case crm, touches, stage_history

    /// Canonical fields in the order of SPEC 2.2 / 2.2b / 2.3 (also the B34 comparison order).
    public var fields: [String] {
        switch self {
        case .crm:
            return CRMField.allCases.map(\.name)
        case .touches:
            return TouchField.allCases.map(\.name)
        case .stage_history:
            return HistoryField.allCases.map(\.name)
        }
    }

    public var required: [String] {
        switch self {
        case .crm: return ["record_id", "created_at"]
        case .touches: return ["ts", "event"]
        case .stage_history: return ["record_id", "stage", "changed_at"]
        }
    }
}

public enum CRMField: Int, CaseIterable, Sendable {
    case record_id, email, first_name, last_name, company, company_domain, employees, industry, country, created_at
    case source, mql_at, sqm_at, opportunity_at, won_at, lost_at, responded_at, amount, opportunity_id
    public var name: String { String(describing: self) }
}

public enum TouchField: Int, CaseIterable, Sendable {
    case ts, visitor_id, email, event, url, meeting_type, utm_source, utm_medium, utm_campaign, utm_term, utm_content
    public var name: String { String(describing: self) }
}

public enum HistoryField: Int, CaseIterable, Sendable {
    case record_id, stage, changed_at
    public var name: String { String(describing: self) }
}

/// How a preset sets the event of a touch row.
public enum EventRule: Sendable, Equatable {
    /// From the mapped `event` column.
    case column
    /// Every row is this event (segment: page_view).
    case constant(String)
    /// Calendly: `booking`, or `other` where the `Canceled` column is `true`.
    case bookingUnlessCanceled(column: String)
}

/// A named mapping from real export headers to canonical fields (Appendix C).
public struct Preset: Sendable {
    public var name: String
    public var kind: InputKind
    /// Canonical field → accepted headers (first present wins).
    public var columns: [(field: String, headers: [String])]
    public var event: EventRule = .column
    /// Salesforce report exports may end with a footer (B28).
    public var footer = false
}

/// Touch events (B5); anything else is `other`.
public enum TouchEvent: UInt8, CaseIterable, Sendable {
    case click, page_view, form_submit, registration, attendance, booking, other
    static let names: [[UInt8]] = TouchEvent.allCases.map { Array(String(describing: $0).utf8) }

    /// The event of a field's bytes (trimmed, ASCII case-insensitive).
    @inline(__always) public static func classify(_ b: Bytes) -> TouchEvent {
        let t = b.trimmed()
        // The six names have six different lengths: one comparison at most.
        let e: TouchEvent
        switch t.count {
        case 5: e = .click
        case 9: e = .page_view
        case 11: e = .form_submit
        case 12: e = .registration
        case 10: e = .attendance
        case 7: e = .booking
        default: return .other
        }
        return t.equalsLowered(names[Int(e.rawValue)]) ? e : .other
    }
}
