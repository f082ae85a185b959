/// The synthetic pilots `generate` writes into its pilotscope.yaml, one per motion and more.
struct GenPilot {
    var id: String
    var name: String
    var partner: String
    var motion: String
    var zone: String
    var start: String
    var end: String
    var tag: String?
    var utmSource: String?
    var utmCampaigns: [String]
    var link: String?
    var meetingType: String?
    /// Share of all contacts that are this pilot's leads, and their quality.
    var share: Double
    var icpShare: Double
    var sqmRate: Double
    var hypothesis: String
    var segment: String

    var startMillis: Int64 { Civil.parseDate(start)! * 86_400_000 }
    var endMillis: Int64 { (Civil.parseDate(end)! + 1) * 86_400_000 }
}

enum GenData {
    static let asOf = "2026-05-20T00:00:00Z"
    static let spanStart: Int64 = Civil.days(year: 2026, month: 1, day: 5) * 86_400_000
    static let spanEnd: Int64 = Civil.days(year: 2026, month: 6, day: 10) * 86_400_000

    static let pilots: [GenPilot] = [
        GenPilot(
            id: "acme-payroll-workshop", name: "Acme Payroll Workshop", partner: "Acme HR Compliance", motion: "co_marketing",
            zone: "America/New_York", start: "2026-03-02", end: "2026-03-31", tag: "Partner Pilot: Acme Payroll Workshop",
            utmSource: "acme", utmCampaigns: ["acme-workshop-2026", "acme payroll webinar"], link: nil, meetingType: nil,
            share: 0.030, icpShare: 0.8, sqmRate: 0.42,
            hypothesis:
                "If we run a co-branded payroll compliance workshop for mid-market finance leaders and follow up with a joint outbound sequence over 21 days, we expect at least 10 SQMs, because Acme's audience already trusts them on compliance.",
            segment: "mid-market finance leaders"),
        GenPilot(
            id: "globex-cosell-sprint", name: "Globex Co-Sell Sprint", partner: "Globex Systems", motion: "co_selling",
            zone: "America/Chicago", start: "2026-02-16", end: "2026-04-10", tag: "Partner Pilot: Globex Co-Sell Sprint",
            utmSource: nil, utmCampaigns: [], link: "https://cal.example.com/team/globex-discovery",
            meetingType: "Globex Joint Discovery", share: 0.020, icpShare: 0.55, sqmRate: 0.30,
            hypothesis:
                "If Globex account executives co-sell with us on 20 named accounts for six weeks, we expect joint discovery meetings on at least a third of them.",
            segment: "20 named manufacturing accounts"),
        GenPilot(
            id: "initech-referral", name: "Initech Referral Loop", partner: "Initech Consulting", motion: "referral",
            zone: "UTC", start: "2026-03-09", end: "2026-04-19", tag: "Partner Pilot: Initech Referral Loop",
            utmSource: nil, utmCampaigns: [], link: "https://book.example.com/initech-intro", meetingType: nil,
            share: 0.020, icpShare: 0.25, sqmRate: 0.10,
            hypothesis:
                "If Initech refers clients who outgrow spreadsheets through a shared intro sheet, we expect enough qualified intros to justify a referral fee.",
            segment: "Initech's small-business clients"),
        GenPilot(
            id: "umbrella-integration", name: "Umbrella Integration Launch", partner: "Umbrella Cloud", motion: "integration",
            zone: "Europe/Berlin", start: "2026-04-01", end: "2026-05-12", tag: nil, utmSource: "umbrella",
            utmCampaigns: ["umbrella-marketplace"], link: "https://cal.example.com/umbrella-demo", meetingType: nil,
            share: 0.0, icpShare: 0.6, sqmRate: 0.28,
            hypothesis: "If we list a light integration in Umbrella's marketplace with a demo link, marketplace visitors will book demos at a useful rate.",
            segment: "Umbrella marketplace visitors in DACH"),
        GenPilot(
            id: "hooli-services", name: "Hooli Services Assessment", partner: "Hooli Professional Services", motion: "service_delivery",
            zone: "America/Los_Angeles", start: "2026-05-01", end: "2026-06-12", tag: "Partner Pilot: Hooli Services Assessment",
            utmSource: nil, utmCampaigns: [], link: nil, meetingType: "Hooli Assessment", share: 0.010, icpShare: 0.7,
            sqmRate: 0.35,
            hypothesis: "If Hooli's delivery team offers a free readiness assessment to its implementation clients, at least 8 become SQMs within the window.",
            segment: "Hooli implementation clients"),
        GenPilot(
            id: "vandelay-webinar", name: "Vandelay Import Webinar", partner: "Vandelay Industries", motion: "co_marketing",
            zone: "Europe/London", start: "2026-06-01", end: "2026-06-28", tag: nil, utmSource: "vandelay",
            utmCampaigns: ["vandelay-june"], link: nil, meetingType: nil, share: 0.0, icpShare: 0.5, sqmRate: 0.3,
            hypothesis: "If we co-host an import-compliance webinar with Vandelay, registrants convert to SQMs at our webinar baseline or better.",
            segment: "UK import managers"),
    ]

    static let firstNames = [
        "Ana", "Ben", "Chloé", "Dev", "Eva", "Farah", "Goran", "Hana", "Ivan", "Jia", "Kofi", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven",
        "Tariq", "Uma", "Viktor", "Wen", "Yusuf", "Zoe",
    ]
    static let lastNames = [
        "Abbott", "Berg", "Chen", "Diaz", "Eriksen", "Fischer", "García", "Haddad", "Ito", "Jensen", "Kowalski", "Lopez", "Müller", "Nakamura", "O'Brien",
        "Patel", "Quist", "Rossi", "Schmidt", "Tanaka", "Ueda", "Varga", "Weber", "Xu", "Young",
    ]
    static let companies = [
        "Northwind", "Contoso", "Fabrikam", "Tailspin", "Wingtip", "Adventure Works", "Litware", "Proseware", "Lucerne", "Woodgrove", "Coho", "Alpine Ski",
        "Blue Yonder", "Fourth Coffee", "Margie's Travel", "Trey Research", "Humongous", "Wide World", "Graphic Design", "School of Fine Art",
    ]
    static let suffixes = [", Inc.", " LLC", " GmbH", ", Ltd.", " S.A.", "", " Group"]
    static let industries = ["finance", "Finance", "insurance", " Insurance ", "retail", "healthcare", "software", "manufacturing", "logistics", "education"]
    static let icpIndustries = ["finance", "Finance", "insurance", " Insurance "]
    static let countries = ["US", "United States", "DE", "GB", "CA", "FR", "NL", "AU"]
    static let deployments = ["cloud", "Cloud", "hybrid", "on-prem", "On-Prem", ""]
    static let sources = ["Organic Search", "Paid Search", "Webinar", "Event", "Outbound", "", "Referral"]
    static let paths = ["", "pricing", "blog/payroll-compliance-2026", "product/integrations", "customers", "docs/getting-started", "webinars", "about"]
    static let agents = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
    ]
}
