"""A small sample Control List and Watch List for the demo, written from MOFCOM's public
announcements as far as we know them. Every entry is marked uncertain: names, dates and measures
are to be checked against the announcement before anyone relies on them. One entry is a made-up
demo company written in Chinese, so a screening demo can show a traditional-script variant hit."""

import uuid

from enduser.lists import services

DEMO_NAMESPACE = uuid.UUID("0b5e7f0a-9c1d-5e2f-8a3b-4c5d6e7f8091")

CHECK_ZH = "根据公开公告编写的示例，待核对。"
CHECK_EN = "Sample written from the public announcement, to be checked."

CONTROL_2025_1 = {
    "list_kind": "control", "announcement": "商务部公告2025年第1号 (MOFCOM Announcement 2025 No. 1)",
    "announced_on": "2025-01-02", "effective_on": "2025-01-02",
    "reason": f"{CHECK_ZH}为维护国家安全和利益、履行防扩散等国际义务，依据出口管制法第十八条列入管控名单。 / "
              f"{CHECK_EN} Listed under Export Control Law Art. 18 to safeguard national security and "
              "interests and fulfil non-proliferation obligations.",
    "effect": "禁止出口经营者向其出口两用物项；正在开展的相关活动应当立即停止；特殊情况下确需出口的，应当向商务部提出申请。 / "
              "No export of dual-use items to the party; ongoing activities stop at once; in special "
              "circumstances the exporter applies to the Ministry of Commerce.",
}

CONTROL_2026_11 = {
    **CONTROL_2025_1, "announcement": "商务部公告2026年第11号 (MOFCOM Announcement 2026 No. 11)",
    "announced_on": "2026-02-24", "effective_on": "2026-02-24",
    "effect": "禁止出口经营者向其出口两用物项，禁止境外组织和个人将原产于中国的两用物项转移或提供给该实体；"
              "特殊情况下确需出口的，应当向商务部提出申请。 / No export of dual-use items to the party, and no "
              "transfer of Chinese-origin dual-use items to it by anyone abroad; in special circumstances the "
              "exporter applies to the Ministry of Commerce.",
}

WATCH_2026_12 = {
    "list_kind": "watch", "announcement": "商务部公告2026年第12号 (MOFCOM Announcement 2026 No. 12)",
    "announced_on": "2026-02-24", "effective_on": "2026-02-24",
    "reason": f"{CHECK_ZH}无法核实两用物项最终用户、最终用途（条例第二十六条）。 / {CHECK_EN} The end user and "
              "end use of dual-use items could not be verified (Regulations Art. 26).",
    "effect": "不得申请通用许可或以登记填报信息方式获得出口凭证；申请单项许可须提交风险评估报告和书面承诺；审查期限不受条例第十七条限制。 / "
              "No general licence and no registration route; an individual licence needs a risk assessment "
              "report and a written undertaking; the Art. 17 time limit does not apply.",
}

DEMO_ENTRIES = [
    {**CONTROL_2025_1, "names": ["通用动力陆地系统公司", "General Dynamics Land Systems"], "country": "US"},
    {**CONTROL_2025_1, "names": ["洛克希德·马丁导弹与火控公司", "Lockheed Martin Missiles and Fire Control"],
     "country": "US"},
    {**CONTROL_2025_1, "names": ["雷神导弹与防务公司", "Raytheon Missiles & Defense"], "country": "US"},
    {**CONTROL_2026_11, "names": ["三菱造船株式会社", "Mitsubishi Heavy Industries Shipbuilding Co."],
     "country": "JP"},
    {**CONTROL_2026_11, "names": ["川崎重工航空宇宙系统公司", "Kawasaki Heavy Industries Aerospace Systems Company"],
     "country": "JP"},
    {**WATCH_2026_12, "names": ["斯巴鲁株式会社", "SUBARU Corporation"], "country": "JP"},
    {**WATCH_2026_12, "names": ["富士航空航天技术株式会社", "FUJI Aerospace Technology Co., Ltd."], "country": "JP"},
    {**WATCH_2026_12, "names": ["华荣精密技术有限公司", "Huarong Precision Technology Co., Ltd."],
     "aliases": ["华荣精密"], "addresses": ["演示地址，非真实地址 / demo address, not a real one"],
     "country": "SG", "announcement": "演示条目，无公告 (demo entry, no announcement)",
     "reason": "演示用虚构企业，不是真实的列单，用于展示筛查（含繁体字写法）。 / A made-up company for the demo, "
               "not a real listing; it shows screening, traditional-script variants included."},
    {**CONTROL_2026_11, "names": ["东辰精密电子有限公司", "Dongchen Precision Electronics Co., Ltd."],
     "addresses": ["演示地址，非真实地址 / demo address, not a real one"], "country": "SG",
     "announcement": "演示条目，无公告 (demo entry, no announcement)",
     "reason": "演示用虚构企业，不是真实的列单：以繁体字“東辰精密電子有限公司”填写最终用户的申请将被拒绝提交。 / "
               "A made-up company for the demo, not a real listing: an application naming it as end user in "
               "traditional characters (東辰精密電子有限公司) is refused at submission."},
]


def seed_demo_lists(actor) -> list:
    """Publish the sample entries through the service, as an officer would; safe to run again
    (each entry has a fixed client token, so a second run returns the entries already made)."""
    return [services.listed_party_publish(actor=actor, data={**entry, "uncertain": True},
                                          client_token=uuid.uuid5(DEMO_NAMESPACE, str(number)))
            for number, entry in enumerate(DEMO_ENTRIES, start=1)]
