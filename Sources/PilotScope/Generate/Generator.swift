import Foundation

/// `pilotscope generate`: deterministic synthetic CRM exports, touch logs, stage history and a
/// matching pilotscope.yaml. Same arguments → byte-identical files. Every file is streamed.
public struct Generator {
    public var contacts: Int
    public var touches: Int
    public var seed: UInt64
    public var shards: Int
    public var visitors: Int
    public var out: String
    public var compress = true
    /// `--touch-files-by-day`: the number of daily touch files (`touches` rows each), or nil for
    /// the touch log in `shards` files over the whole span.
    public var touchDays: Int?
    /// The day (days since 1970-01-01) of the first daily touch file.
    public var firstTouchDay = Civil.days(year: 2026, month: 3, day: 1)

    public init(contacts: Int, touches: Int, seed: UInt64, shards: Int, visitors: Int?, out: String) {
        self.contacts = contacts
        self.touches = touches
        self.seed = seed
        self.shards = max(1, shards)
        self.visitors = visitors ?? max(1, touches / 8)
        self.out = out
    }

    typealias P = GenPilot
    let pilots = GenData.pilots

    /// Who a contact is, decided once so touches can refer to it.
    struct Person {
        var pilot: Int  // -1: none
        var email: String?
        var created: Int64
        var hasOpportunity = false
    }

    public func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let people = try writeCRM()
        try writeTouches(people)
        try writeHistory(people)
        try writeConfig()
    }

    private func shardName(_ base: String, _ k: Int) -> String {
        let ext = compress ? ".csv.gz" : ".csv"
        return shards == 1 ? "\(out)/\(base)\(ext)" : "\(out)/\(base)-\(k + 1)\(ext)"
    }

    // MARK: CRM

    static func email(_ i: Int) -> (String, String, String, String) {
        let f = GenData.firstNames[i % GenData.firstNames.count]
        let l = GenData.lastNames[(i / 7) % GenData.lastNames.count]
        let co = GenData.companies[(i / 3) % GenData.companies.count]
        let domain = co.lowercased().replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "'", with: "") + ".example"
        let local = (f + "." + l).lowercased().replacingOccurrences(of: "'", with: "").applyingTransform(.stripDiacritics, reverse: false) ?? f
        return ("\(local)\(i)@\(domain)", f, l, domain)
    }

    func writeCRM() throws -> [Person] {
        var rng = SeededRandom(seed: seed ^ 0xC0FFEE)
        var people: [Person] = []
        people.reserveCapacity(contacts)
        let writers = try (0..<shards).map { try GzipWriter(path: shardName("contacts", $0), compress: compress) }
        var texts = Array(repeating: ByteText(), count: shards)
        let header =
            "record_id,email,first_name,last_name,company,company_domain,employees,industry,country,created_at,source,mql_at,sqm_at,opportunity_at,won_at,lost_at,responded_at,amount,opportunity_id,deployment,notes\n"
        for k in 0..<shards { texts[k].add(header) }
        var dupQueue: [(Int, Int64)] = []
        for i in 0..<contacts {
            let k = i % shards
            // Pilot leads first, by share; the rest is the baseline population.
            var pilot = -1
            var r = rng.unit()
            for (pi, p) in pilots.enumerated() where p.share > 0 {
                if r < p.share { pilot = pi; break }
                r -= p.share
            }
            let p: P? = pilot >= 0 ? pilots[pilot] : nil
            let created: Int64
            if let p {
                created = p.startMillis + Int64(rng.unit() * Double(p.endMillis - p.startMillis)) + 5 * 3_600_000
            } else {
                created = GenData.spanStart + Int64(pow(rng.unit(), 0.8) * Double(GenData.spanEnd - GenData.spanStart))
            }
            let (mail, first, last, domain) = Self.email(i)
            let kind = rng.unit()
            var emailText = mail
            var person = Person(pilot: pilot, email: mail, created: created)
            if kind < 0.05 {
                emailText = ""  // name key
                person.email = nil
            } else if kind < 0.07 {
                emailText = ""
                person.email = nil
            } else if kind < 0.08 {
                emailText = rng.pick(["n/a", "unknown", "-", "none@", "@nodomain"])
                person.email = nil
            }
            let names = kind < 0.07 && kind >= 0.05 ? ("", "") : (first, last)
            let icp = rng.chance(p?.icpShare ?? 0.35)
            let line = crmRow(&rng, id: i, email: emailText, names: names, domain: domain, created: created, pilot: p, icp: icp, quality: p?.sqmRate ?? 0.12)
            person.hasOpportunity = line.contains(",006")
            people.append(person)
            texts[k].add(line)
            if rng.chance(0.06) && person.email != nil { dupQueue.append((i, created)) }
            // Rare rows of every kind of trouble (a small share, under max_reject_rate).
            let trouble = rng.unit()
            if trouble < 0.0004 {
                texts[k].add("C9\(i),broken@row.example,,,,,,,,not a date,,,,,,,,,,,\n")
            } else if trouble < 0.0006 {
                texts[k].add("C9\(i),short@row.example,2026-03-01\n")
            } else if trouble < 0.0008 {
                texts[k].add("\n")
            } else if trouble < 0.0009 {
                texts[k].add(line)  // the same record exported twice
            }
            if texts[k].bytes.count > 1 << 20 {
                try writers[k].write(texts[k].bytes)
                texts[k].clear()
            }
        }
        // Duplicates: the same email with case and space variants, created later, another record id.
        for (n, (i, created)) in dupQueue.enumerated() {
            let k = n % shards
            let (mail, first, last, domain) = Self.email(i)
            let variant = n % 3 == 0 ? mail.uppercased() : n % 3 == 1 ? " \(mail) " : mail.capitalized
            let p: P? = people[i].pilot >= 0 ? pilots[people[i].pilot] : nil
            texts[k].add(
                crmRow(
                    &rng, id: contacts + n, email: variant, names: (first, last), domain: domain, created: created + Int64(rng.exponential(10 * 86_400_000)),
                    pilot: n % 2 == 0 ? p : nil, icp: true, quality: 0.1))
        }
        for k in 0..<shards {
            try writers[k].write(texts[k].bytes)
            try writers[k].finish()
        }
        return people
    }

    /// Timestamps in every accepted form (B4), most of them ISO 8601.
    static func stamp(_ t: Int64, form: Int) -> String {
        let s = Civil.floorDiv(t, 1000)
        let day = Civil.floorDiv(s, 86_400)
        let (y, m, d) = Civil.date(days: day)
        let sod = Int(s - day * 86_400)
        let hh = sod / 3600, mm = sod / 60 % 60, ss = sod % 60
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let date = "\(y)-\(p2(m))-\(p2(d))"
        switch form {
        case 0: return "\(date) \(p2(hh)):\(p2(mm)):\(p2(ss))"
        case 1:
            let h12 = hh % 12 == 0 ? 12 : hh % 12
            return "\(m)/\(d)/\(y) \(h12):\(p2(mm)) \(hh < 12 ? "AM" : "PM")"
        case 2: return String(s)
        case 3: return String(t)
        case 4: return "\(date)T\(p2(hh)):\(p2(mm)):\(p2(ss)).000+0000"
        case 5:
            let l = s - 5 * 3600
            let ld = Civil.floorDiv(l, 86_400)
            let (y2, m2, d2) = Civil.date(days: ld)
            let lsod = Int(l - ld * 86_400)
            return "\(y2)-\(p2(m2))-\(p2(d2))T\(p2(lsod / 3600)):\(p2(lsod / 60 % 60))-05:00"
        case 6:
            let h12 = hh % 12 == 0 ? 12 : hh % 12
            return "\(date) \(h12):\(p2(mm)) \(hh < 12 ? "am" : "pm")"
        case 7: return "\(y)-\(p2(m))-\(p2(d))"
        default: return "\(date)T\(p2(hh)):\(p2(mm)):\(p2(ss))Z"
        }
    }

    private func crmRow(
        _ rng: inout SeededRandom, id: Int, email: String, names: (String, String), domain: String, created: Int64, pilot: P?, icp: Bool, quality: Double
    ) -> String {
        let form = rng.below(24)
        let company = GenData.companies[(id / 3) % GenData.companies.count] + GenData.suffixes[id % GenData.suffixes.count]
        var employees: String
        if icp {
            employees = String(200 + rng.below(800))
        } else {
            employees = String(Int(rng.exponential(400)) + 1)
        }
        if rng.chance(0.01) { employees = rng.pick(["\"1,200\"", "n/a", "500+", ""]) }
        let industry = icp ? rng.pick(GenData.icpIndustries) : rng.pick(GenData.industries)
        let deployment = icp ? rng.pick(["cloud", "Cloud", "hybrid", ""]) : rng.pick(GenData.deployments)
        var source = pilot?.tag.flatMap { rng.chance(0.9) ? $0 : "" } ?? rng.pick(GenData.sources)
        if pilot == nil && rng.chance(0.003) { source = "Partner Pilot: Old Pilot 2025" }
        // Funnel: mql → sqm → opportunity → won / lost, skewed delays, a few skipped stages.
        let sqmP = quality
        let mqlP = min(0.95, sqmP * 1.8 + 0.1)
        var mql = "", sqm = "", opp = "", won = "", lost = "", amount = "", oppId = "", responded = ""
        var t = created
        let reachedMQL = rng.chance(mqlP)
        if reachedMQL {
            t += Int64(rng.exponential(3 * 86_400_000))
            if !rng.chance(0.05) { mql = Self.stamp(t, form: 8) }  // a skipped stage now and then
            if rng.chance(sqmP / mqlP) {
                t += Int64(rng.exponential(5 * 86_400_000))
                sqm = Self.stamp(t, form: rng.chance(0.9) ? 8 : 0)
                if rng.chance(0.5) {
                    t += Int64(rng.exponential(9 * 86_400_000))
                    opp = Self.stamp(t, form: 8)
                    oppId = "006" + String(format: "%012d", id) + "AAA"
                    let a = Int(exp(8.5 + rng.unit() * 3))
                    amount =
                        rng.chance(0.01) ? "\"$\(a / 1000),\(String(format: "%03d", a % 1000))\"" : "\(a).\(rng.below(100) < 10 ? "0" : "")\(rng.below(100))"
                    let end = t + Int64(rng.exponential(20 * 86_400_000))
                    if rng.chance(0.35) { won = Self.stamp(end, form: 8) } else if rng.chance(0.4) { lost = Self.stamp(end, form: 8) }
                }
            }
        }
        if pilot != nil && rng.chance(0.85) {
            responded = Self.stamp(created + Int64(rng.exponential(18 * 3_600_000)), form: 8)
        }
        var notes = ""
        switch rng.below(40) {
        case 0: notes = "\"Met at booth, asked about \"\"payroll\"\" add-on\""
        case 1: notes = "\"Follow up:\ncall after quarter close\""
        case 2: notes = "\"Budget: Q3, pending CFO\""
        default: notes = ""
        }
        let companyCell = company.contains(",") || company.contains("\"") ? "\"\(company)\"" : company
        let domainCell = names.0.isEmpty ? "" : domain
        return
            "C\(String(format: "%08d", id)),\(email),\(names.0),\(names.1.contains("'") ? names.1 : names.1),\(companyCell),\(domainCell),\(employees),\(industry),\(rng.pick(GenData.countries)),\(Self.stamp(created, form: form)),\(source),\(mql),\(sqm),\(opp),\(won),\(lost),\(responded),\(amount),\(oppId),\(deployment),\(notes)\n"
    }

    // MARK: Touches

    /// What every touch row draws on: the people, the leads of each pilot (so pilot touches come
    /// from the people a pilot reached) and the pilots a touch can match.
    struct TouchModel {
        var people: [Person]
        var leadsOf: [[Int]]
        var touchPilots: [Int]
        let events: [(String, Double)] = [
            ("page_view", 0.58), ("click", 0.25), ("form_submit", 0.06), ("registration", 0.04), ("attendance", 0.02), ("booking", 0.03), ("Video_Play", 0.02),
        ]

        init(people: [Person], pilots: [GenPilot]) {
            self.people = people
            leadsOf = Array(repeating: [], count: pilots.count)
            for (i, p) in people.enumerated() where p.pilot >= 0 && p.email != nil { leadsOf[p.pilot].append(i) }
            touchPilots = pilots.indices.filter { pilots[$0].utmSource != nil || pilots[$0].link != nil || pilots[$0].meetingType != nil }
        }
    }

    static let touchHeader = "ts,visitor_id,email,event,url,meeting_type,utm_source,utm_medium,utm_campaign,utm_term,utm_content,user_agent\n"

    func writeTouches(_ people: [Person]) throws {
        let model = TouchModel(people: people, pilots: pilots)
        if let days = touchDays {
            try writeTouchesByDay(model, days: days)
            return
        }
        var rng = SeededRandom(seed: seed ^ 0x70C4E5)
        let writers = try (0..<shards).map { try GzipWriter(path: shardName("touches", $0), compress: compress) }
        var texts = Array(repeating: ByteText(), count: shards)
        for k in 0..<shards { texts[k].add(Self.touchHeader) }
        var row = ByteText(capacity: 512)
        for j in 0..<touches {
            let k = j % shards
            touchRow(j, model, within: GenData.spanStart..<GenData.spanEnd, clampToSpan: false, pilots: model.touchPilots, rng: &rng, into: &row)
            texts[k].add(row.bytes)
            if texts[k].bytes.count > 1 << 20 {
                try writers[k].write(texts[k].bytes)
                texts[k].clear()
            }
        }
        for k in 0..<shards {
            try writers[k].write(texts[k].bytes)
            try writers[k].finish()
        }
    }

    /// `--touch-files-by-day`: `touches/YYYY-MM-DD.csv.gz`, `touches` rows a day, every row inside
    /// its day (UTC). Each day has its own random stream, seeded by the date, so a day's file is
    /// the same bytes whatever range of days is asked for: a longer run only adds days, as nights
    /// do, and ranges generated apart make one log.
    func writeTouchesByDay(_ model: TouchModel, days: Int) throws {
        let ext = compress ? ".csv.gz" : ".csv"
        try FileManager.default.createDirectory(atPath: "\(out)/touches", withIntermediateDirectories: true)
        var row = ByteText(capacity: 512)
        for d in 0..<days {
            let dayNumber = firstTouchDay + Int64(d)
            let day = dayNumber * 86_400_000..<(dayNumber + 1) * 86_400_000
            // The pilots whose touch window (its dates, three days either side) meets the day.
            let active = model.touchPilots.filter { (pilots[$0].startMillis - 3 * 86_400_000..<pilots[$0].endMillis + 3 * 86_400_000).overlaps(day) }
            var rng = SeededRandom(seed: seed ^ 0x70C4E5 ^ (UInt64(bitPattern: dayNumber) &* 0xD6E8_FEB8_6659_FD93))
            let writer = try GzipWriter(path: "\(out)/touches/\(Civil.dateString(days: dayNumber))\(ext)", compress: compress)
            var text = ByteText()
            text.add(Self.touchHeader)
            for j in 0..<touches {
                touchRow(j, model, within: day, clampToSpan: true, pilots: active, rng: &rng, into: &row)
                text.add(row.bytes)
                if text.bytes.count > 1 << 20 {
                    try writer.write(text.bytes)
                    text.clear()
                }
            }
            try writer.write(text.bytes)
            try writer.finish()
        }
    }

    /// Touch row `j`: its instant inside `span`, a pilot touch (one of `pilotChoices`, inside that
    /// pilot's window, and inside `span` when `clampToSpan`) one time in eight, identities, a few
    /// malformed rows.
    func touchRow(
        _ j: Int, _ model: TouchModel, within span: Range<Int64>, clampToSpan: Bool, pilots pilotChoices: [Int], rng: inout SeededRandom,
        into row: inout ByteText
    ) {
        let people = model.people
        row.clear()
        var ev = "page_view"
        var r = rng.unit()
        for (e, w) in model.events {
            if r < w { ev = e; break }
            r -= w
        }
        var ts = span.lowerBound + Int64(rng.unit() * Double(span.upperBound - span.lowerBound))
        var person: Int?
        var url = "https://www.example.com/" + rng.pick(GenData.paths)
        var meeting = ""
        var utmCols = ["", "", "", "", ""]
        if rng.chance(0.12) && !pilotChoices.isEmpty {
            let pi = rng.pick(pilotChoices)
            let p = pilots[pi]
            let reach = p.startMillis - 3 * 86_400_000..<p.endMillis + 3 * 86_400_000
            let window = clampToSpan ? reach.clamped(to: span) : reach
            ts = window.lowerBound + Int64(rng.unit() * Double(window.upperBound - window.lowerBound))
            if !model.leadsOf[pi].isEmpty && rng.chance(0.5) {
                person = rng.pick(model.leadsOf[pi])
            } else if rng.chance(0.3) {
                person = rng.below(people.count)
            }
            if let s = p.utmSource, p.link == nil || rng.chance(0.6) {
                let camp = p.utmCampaigns.isEmpty ? "" : rng.pick(p.utmCampaigns)
                switch rng.below(5) {
                case 0: url += "?UTM_Source=\(s.uppercased())&utm_medium=partner&utm_campaign=\(camp.replacingOccurrences(of: " ", with: "+"))"
                case 1:
                    url +=
                        "?utm_source=\(s)&utm_campaign=\(camp.replacingOccurrences(of: " ", with: "%20").replacingOccurrences(of: "-", with: "%2D"))&utm_source=other"
                case 2: url += "?ref=nav&utm_source=\(s)&utm_medium=email&utm_campaign=\(camp.replacingOccurrences(of: " ", with: "+"))#top"
                case 3:
                    url += "?utm_campaign=\(camp.replacingOccurrences(of: " ", with: "+"))"
                    utmCols[0] = " \(s.capitalized) "
                default: url += "?utm_source=\(s)&utm_medium=integration&utm_campaign=\(camp.replacingOccurrences(of: " ", with: "+"))"
                }
            } else {
                if let link = p.link {
                    url = rng.chance(0.5) ? link : link.replacingOccurrences(of: "https://", with: "https://www.") + "/30min?month=2026-03"
                }
                if let mt = p.meetingType { meeting = rng.chance(0.7) ? mt : mt.uppercased() }
                ev = rng.chance(0.85) ? "booking" : "click"
            }
        } else if rng.chance(0.2) {
            url += "?utm_source=\(rng.pick(["google", "linkedin", "newsletter", "bing"]))&utm_medium=cpc&utm_campaign=brand-\(rng.below(12))"
        }
        if ev == "booking" && meeting.isEmpty && person == nil {
            url = "https://cal.example.com/team/sales"
            meeting = "Intro Call"
        }
        if person == nil && rng.chance(0.35) { person = rng.below(people.count) }
        // Identity: a person's own visitor id (stitching) or an anonymous visitor; emails on forms.
        var visitor = ""
        var email = ""
        if let pi = person, let e = people[pi].email {
            visitor = "u\(String(UInt64(pi) &* 0x9E37_79B9 & 0xFFFF_FFFF_FFFF, radix: 16))"
            if ev == "form_submit" || ev == "registration" || ev == "booking" {
                email = rng.chance(0.9) ? e : rng.chance(0.5) ? e.uppercased() : " \(e)"
            }
            if rng.chance(0.1) { visitor = "" }
        } else if rng.chance(0.93) {
            visitor = "a\(String(rng.below(visitors), radix: 16))"
        }
        if email.isEmpty && rng.chance(0.001) { email = "n/a" }
        row.add(Self.stamp(ts, form: j % 50 == 0 ? 1 : j % 50 == 1 ? 3 : 8))
        row.byte(0x2C); row.add(visitor); row.byte(0x2C); row.add(email); row.byte(0x2C); row.add(ev); row.byte(0x2C)
        row.add(url); row.byte(0x2C); row.add(meeting)
        for c in utmCols { row.byte(0x2C); row.add(c) }
        row.byte(0x2C)
        row.quoted(GenData.agents[j % GenData.agents.count])
        row.byte(0x0A)
        if rng.chance(0.0002) { row.clear(); row.add("not-a-time,\(visitor),,click,\(url),,,,,,,\"x\"\n") }
        if rng.chance(0.0001) { row.add("\r\n") }
    }

    // MARK: Stage history (Salesforce OpportunityHistory headers)

    func writeHistory(_ people: [Person]) throws {
        var rng = SeededRandom(seed: seed ^ 0x415)
        let withOpp = people.indices.filter { people[$0].hasOpportunity }
        let w = try GzipWriter(path: "\(out)/opportunity-history\(compress ? ".csv.gz" : ".csv")", compress: compress)
        var text = ByteText()
        text.add("OpportunityId,StageName,CreatedDate,Amount\n")
        let n = max(10, contacts / 50)
        for i in 0..<n {
            let id = withOpp.isEmpty ? rng.below(contacts) : rng.pick(withOpp)
            let oppId = i % 37 == 0 ? "006UNKNOWN\(i)" : "006" + String(format: "%012d", id) + "AAA"
            let t = GenData.spanStart + Int64(rng.unit() * Double(GenData.spanEnd - GenData.spanStart))
            let stage = rng.pick(["Discovery Scheduled", "Proposal", "Negotiation", "Closed Won", "Closed Lost", "discovery scheduled"])
            text.add("\(oppId),\(stage),\(Self.stamp(t, form: 4)),\(rng.below(50_000))\n")
        }
        try w.write(text.bytes)
        try w.finish()
    }

    // MARK: Configuration

    func writeConfig() throws {
        let ext = compress ? ".csv.gz" : ".csv"
        let crmGlob = shards == 1 ? "contacts\(ext)" : "contacts-*\(ext)"
        let touchGlob = touchDays != nil ? "touches/*\(ext)" : shards == 1 ? "touches\(ext)" : "touches-*\(ext)"
        let byDay = touchDays.map { " --touch-files-by-day --days \($0) --first-day \(Civil.dateString(days: firstTouchDay))" } ?? ""
        var y = """
            # Generated by `pilotscope generate --contacts \(contacts) --touches \(touches) --seed \(seed) --shards \(shards)\(byDay)`.
            as_of: \(GenData.asOf)
            timezone: America/New_York
            inputs:
              crm:
                files: ["\(crmGlob)"]
                preset: canonical
              touches:
                - files: ["\(touchGlob)"]
                  preset: canonical
              stage_history:
                files: ["opportunity-history\(ext)"]
                preset: salesforce_opportunity_history
                stages: { "Discovery Scheduled": sqm, "Proposal": opportunity, "Closed Won": won, "Closed Lost": lost }
            dedup:
              strip_plus_tags: false
              gmail_dots: false
            attribution:
              model: first_touch
            grace_days: 30
            max_reject_rate: 0.01
            pilots:

            """
        for p in pilots {
            let expectedSQM = Double(contacts) * max(p.share, 0.01) * p.sqmRate
            let scaleAt = max(2, Int(expectedSQM * (p.id == "acme-payroll-workshop" ? 0.7 : 1.6)))
            let stopAt = max(1, Int(expectedSQM * 0.3))
            var match = ""
            if let t = p.tag { match += "\n      source_tags: [\"\(t)\"]" }
            if let s = p.utmSource {
                match +=
                    "\n      utm: { source: \(s)"
                    + (p.utmCampaigns.isEmpty ? "" : ", campaign: [\(p.utmCampaigns.map { "\"\($0)\"" }.joined(separator: ", "))]") + " }"
            }
            if let l = p.link { match += "\n      scheduling_links: [\"\(l)\"]" }
            if let m = p.meetingType { match += "\n      meeting_types: [\"\(m)\"]" }
            let primary = p.utmSource != nil && p.tag == nil ? "meetings_booked" : "sqm"
            let scaleMetric = primary == "sqm" ? "sqm >= \(scaleAt)" : "meetings_booked >= \(max(2, Int(Double(contacts) * 0.002)))"
            let stopMetric = primary == "sqm" ? "sqm < \(stopAt)" : "meetings_booked < 1"
            y += """
                  - id: \(p.id)
                    name: \(p.name)
                    partner: \(p.partner)
                    motion: \(p.motion)
                    hypothesis: >
                      \(p.hypothesis)
                    segment: \(p.segment)
                    start: \(p.start)
                    end: \(p.end)
                    timezone: \(p.zone)
                    match:\(match)
                    icp:
                      - { field: employees, min: 200, max: 1000 }
                      - { field: industry, in: [finance, insurance] }
                      - { field: deployment, not_in: [on-prem] }
                    costs: { fixed: 2500, hours: 36, hourly_rate: 90, per_lead: 0, per_sqm: 100, per_won: 0, currency: USD }
                    primary_metric: \(primary)
                    thresholds:
                      scale: ["\(scaleMetric)", "icp_match >= 60%"]
                      stop: ["\(stopMetric)", "icp_match < 40%"]
                    sla: { respond_business_hours: 24, schedule_business_days: 5 }
                    caps: { leads: \(max(10, Int(Double(contacts) * max(p.share, 0.01) * 1.3))) }
                    min_sample: 5

                """
            if p.id == "acme-payroll-workshop" {
                y += "    adjustment: { date: 2026-03-16, note: \"messaging tweak after week two\" }\n    holidays: [2026-03-17]\n"
            }
        }
        try y.write(toFile: "\(out)/pilotscope.yaml", atomically: true, encoding: .utf8)
    }
}
