"""A synthetic control list of any size, in the dualuse-control-list/1 layout, for benchmarks.

The entries look like a real list: bilingual descriptions drawn from large technical word pools,
numeric thresholds, HS codes, about 60% top-level codes and 40% dotted sub-items (down to .a.1.b)
whose parents are always present. Output depends only on the arguments (random.Random(seed)).

    python -m controllist.versions.synthetic 20000 /tmp/synth.json
"""

import json
import random
import string
import sys

FORMAT = "dualuse-control-list/1"

SECTORS = "0123456789"
ITEM_TYPES = "ABCDE"
REGIME_DIGITS = "012349"   # Wassenaar, MTCR, NSG, Australia Group, CWC, China's own
EXTRA_DIGITS = "5678"      # only used once the regime-pattern codes run out
TOP_SHARE = 0.6
LEVEL_WEIGHTS = (0.6, 0.3, 0.1)   # .a / .a.1 / .a.1.b among the sub-items

# (English, Chinese) pairs, so both descriptions say the same thing.
ADJECTIVES = [
    ("high-purity", "高纯"), ("ultra-high-purity", "超高纯"), ("radiation-hardened", "抗辐射加固"),
    ("space-qualified", "空间级"), ("cryogenic", "低温"), ("high-temperature", "耐高温"),
    ("high-strength", "高强度"), ("low-noise", "低噪声"), ("high-power", "大功率"),
    ("high-voltage", "高压"), ("precision", "精密"), ("ruggedised", "加固型"),
    ("miniaturised", "小型化"), ("multi-axis", "多轴"), ("continuous", "连续式"), ("pulsed", "脉冲"),
    ("isostatic", "等静压"), ("monolithic", "单片"), ("hetero-epitaxial", "异质外延"),
    ("polycrystalline", "多晶"), ("single-crystal", "单晶"), ("amorphous", "非晶"),
    ("nanostructured", "纳米结构"), ("porous", "多孔"), ("fully dense", "致密"),
    ("fibre-reinforced", "纤维增强"), ("ceramic-matrix", "陶瓷基"), ("metal-matrix", "金属基"),
    ("fluorinated", "氟化"), ("sintered", "烧结"), ("forged", "锻造"), ("investment-cast", "熔模铸造"),
    ("vacuum", "真空"), ("plasma", "等离子体"), ("microwave", "微波"), ("millimetre-wave", "毫米波"),
    ("terahertz", "太赫兹"), ("infrared", "红外"), ("ultraviolet", "紫外"), ("optical", "光学"),
    ("electro-optical", "光电"), ("acoustic", "声学"), ("magnetic", "磁性"),
    ("superconducting", "超导"), ("piezoelectric", "压电"), ("thermoelectric", "热电"),
    ("cryptographic", "密码"), ("autonomous", "自主"), ("remotely operated", "遥控"),
    ("unmanned", "无人"), ("submersible", "潜水"), ("airborne", "机载"), ("shipborne", "舰载"),
    ("ground-based", "地基"), ("portable", "便携式"), ("modular", "模块化"), ("integrated", "集成"),
    ("programmable", "可编程"), ("adaptive", "自适应"), ("digital", "数字"), ("analogue", "模拟"),
    ("hybrid", "混合"), ("wideband", "宽带"), ("narrow-linewidth", "窄线宽"),
    ("frequency-agile", "捷变频"), ("phase-locked", "锁相"), ("coherent", "相干"),
    ("non-destructive", "无损"), ("automated", "自动化"), ("numerically controlled", "数控"),
    ("electrolytic", "电解"), ("catalytic", "催化"), ("corrosion-resistant", "耐腐蚀"),
    ("heat-resistant", "耐热"), ("shock-resistant", "抗冲击"), ("lightweight", "轻量化"),
    ("high-density", "高密度"), ("low-density", "低密度"), ("high-resolution", "高分辨率"),
    ("high-speed", "高速"), ("ablative", "烧蚀"), ("hermetic", "气密"), ("redundant", "冗余"),
    ("steerable", "可转向"), ("deformable", "可变形"), ("tunable", "可调谐"),
]

MATERIALS = [
    ("samarium", "钐"), ("gadolinium", "钆"), ("terbium", "铽"), ("dysprosium", "镝"),
    ("lutetium", "镥"), ("scandium", "钪"), ("yttrium", "钇"), ("holmium", "钬"), ("erbium", "铒"),
    ("thulium", "铥"), ("europium", "铕"), ("ytterbium", "镱"), ("neodymium", "钕"),
    ("praseodymium", "镨"), ("cerium", "铈"), ("lanthanum", "镧"), ("gallium", "镓"),
    ("germanium", "锗"), ("antimony", "锑"), ("indium", "铟"), ("tellurium", "碲"), ("bismuth", "铋"),
    ("tungsten", "钨"), ("molybdenum", "钼"), ("rhenium", "铼"), ("tantalum", "钽"), ("niobium", "铌"),
    ("hafnium", "铪"), ("zirconium", "锆"), ("beryllium", "铍"), ("lithium", "锂"), ("cobalt", "钴"),
    ("nickel", "镍"), ("titanium", "钛"), ("vanadium", "钒"), ("chromium", "铬"), ("manganese", "锰"),
    ("aluminium", "铝"), ("magnesium", "镁"), ("copper", "铜"), ("silver", "银"), ("platinum", "铂"),
    ("palladium", "钯"), ("iridium", "铱"), ("ruthenium", "钌"), ("boron", "硼"), ("silicon", "硅"),
    ("graphite", "石墨"), ("diamond", "金刚石"), ("silicon carbide", "碳化硅"),
    ("gallium nitride", "氮化镓"), ("gallium arsenide", "砷化镓"), ("gallium oxide", "氧化镓"),
    ("indium phosphide", "磷化铟"), ("indium antimonide", "锑化铟"), ("aluminium nitride", "氮化铝"),
    ("boron nitride", "氮化硼"), ("zinc selenide", "硒化锌"), ("zinc sulphide", "硫化锌"),
    ("cadmium telluride", "碲化镉"), ("mercury cadmium telluride", "碲镉汞"),
    ("lithium niobate", "铌酸锂"), ("sapphire", "蓝宝石"), ("quartz", "石英"),
    ("fused silica", "熔融石英"), ("chalcogenide glass", "硫系玻璃"),
    ("yttrium aluminium garnet", "钇铝石榴石"), ("maraging steel", "马氏体时效钢"),
    ("nickel superalloy", "镍基高温合金"), ("titanium aluminide", "钛铝金属间化合物"),
    ("tungsten carbide", "碳化钨"), ("boron carbide", "碳化硼"), ("carbon fibre", "碳纤维"),
    ("aramid fibre", "芳纶纤维"), ("polyimide", "聚酰亚胺"), ("fluoropolymer", "含氟聚合物"),
    ("hydroxy-terminated polybutadiene", "端羟基聚丁二烯"), ("ammonium perchlorate", "高氯酸铵"),
    ("hydrazine", "肼"), ("heavy water", "重水"), ("helium-3", "氦-3"), ("deuterium", "氘"),
    ("tritium", "氚"), ("uranium hexafluoride", "六氟化铀"), ("lithium iron phosphate", "磷酸铁锂"),
    ("nickel-cobalt-manganese hydroxide", "镍钴锰氢氧化物"), ("artificial graphite", "人造石墨"),
    ("syntactic foam", "复合泡沫"), ("samarium-cobalt", "钐钴"), ("neodymium-iron-boron", "钕铁硼"),
    ("terbium-dysprosium-iron", "铽镝铁"), ("phosphor bronze", "磷青铜"),
    ("chlorine trifluoride", "三氟化氯"), ("thiodiglycol", "硫二甘醇"),
]

NOUNS = {
    "A": [
        ("amplifier", "放大器"), ("antenna array", "天线阵列"), ("transceiver", "收发机"),
        ("receiver", "接收机"), ("detector", "探测器"), ("sensor", "传感器"),
        ("accelerometer", "加速度计"), ("gyroscope", "陀螺仪"),
        ("inertial measurement unit", "惯性测量单元"), ("laser", "激光器"),
        ("laser amplifier", "激光放大器"), ("optical isolator", "光隔离器"),
        ("focal plane array", "焦平面阵列"), ("camera", "相机"), ("image intensifier", "像增强器"),
        ("magnetometer", "磁力计"), ("gravimeter", "重力仪"), ("hydrophone", "水听器"),
        ("sonar array", "声呐阵列"), ("radar", "雷达"), ("transmitter", "发射机"),
        ("frequency synthesiser", "频率合成器"), ("integrated circuit", "集成电路"),
        ("microprocessor", "微处理器"), ("field-programmable gate array", "现场可编程门阵列"),
        ("analogue-to-digital converter", "模数转换器"), ("capacitor", "电容器"),
        ("power supply", "电源"), ("battery pack", "电池组"), ("lithium-ion cell", "锂离子电芯"),
        ("superconducting magnet", "超导磁体"), ("travelling-wave tube", "行波管"),
        ("spark gap", "火花隙"), ("pulse generator", "脉冲发生器"),
        ("neutron generator", "中子发生器"), ("servo valve", "伺服阀"),
        ("flight controller", "飞行控制器"), ("turbofan engine", "涡轮风扇发动机"),
        ("rocket motor", "火箭发动机"), ("nozzle", "喷管"), ("propeller", "螺旋桨"),
        ("pressure hull", "耐压壳体"), ("bearing", "轴承"), ("bellows valve", "波纹管阀"),
        ("vacuum pump", "真空泵"), ("heat exchanger", "热交换器"), ("reaction vessel", "反应容器"),
        ("gas centrifuge", "气体离心机"), ("fermenter", "发酵罐"), ("spray system", "喷洒系统"),
        ("unmanned aerial vehicle", "无人驾驶航空飞行器"), ("submersible vehicle", "潜水器"),
        ("satellite navigation receiver", "卫星导航接收机"), ("encryption module", "加密模块"),
        ("jamming device", "干扰设备"), ("star tracker", "星敏感器"),
    ],
    "B": [
        ("lithography system", "光刻系统"), ("deposition system", "沉积系统"),
        ("epitaxial reactor", "外延反应器"), ("ion implanter", "离子注入机"),
        ("etching system", "刻蚀系统"), ("wafer inspection tool", "晶圆检测设备"),
        ("coordinate measuring machine", "坐标测量机"), ("vibration test system", "振动试验系统"),
        ("environmental chamber", "环境试验箱"), ("wind tunnel", "风洞"), ("water tunnel", "水洞"),
        ("isostatic press", "等静压机"), ("cubic press", "六面顶压机"),
        ("flow-forming machine", "旋压成形机"), ("filament winding machine", "纤维缠绕机"),
        ("machine tool", "机床"), ("grinding machine", "磨床"),
        ("electron-beam furnace", "电子束熔炼炉"), ("vacuum furnace", "真空炉"),
        ("graphitisation furnace", "石墨化炉"), ("roller-hearth kiln", "辊道窑"),
        ("granulation reactor", "造粒釜"), ("winding machine", "卷绕机"),
        ("stacking machine", "叠片机"), ("electrolyte filling machine", "注液机"),
        ("formation system", "化成系统"), ("jet mill", "气流粉碎机"), ("sand mill", "砂磨机"),
        ("centrifugal extractor", "离心萃取设备"), ("precipitation line", "沉淀生产线"),
        ("roasting kiln", "焙烧窑"), ("calibration rig", "校准台"), ("reflectometer", "反射计"),
        ("spectrometer", "光谱仪"), ("mass spectrometer", "质谱仪"), ("interferometer", "干涉仪"),
        ("test bench", "试验台"), ("production line", "生产线"), ("assembly fixture", "装配夹具"),
        ("forming die", "成形模具"), ("spray dryer", "喷雾干燥设备"), ("rotary kiln", "回转炉"),
    ],
    "C": [
        ("powder", "粉末"), ("micropowder", "微粉"), ("ingot", "锭"), ("wafer", "晶片"),
        ("epitaxial wafer", "外延片"), ("substrate", "衬底"), ("sputtering target", "溅射靶材"),
        ("alloy", "合金"), ("oxide", "氧化物"), ("compound", "化合物"), ("fibre", "纤维"),
        ("prepreg", "预浸料"), ("laminate", "层压板"), ("coating", "涂层"), ("foam", "泡沫"),
        ("crystal", "晶体"), ("polycrystal", "多晶体"), ("sheet", "板材"), ("tube", "管材"),
        ("bar", "棒材"), ("wire", "丝材"), ("foil", "箔材"), ("precursor", "前驱体"),
        ("cathode material", "正极材料"), ("anode material", "负极材料"),
        ("electrolyte", "电解质"), ("catalyst", "催化剂"), ("propellant", "推进剂"),
        ("explosive", "炸药"), ("isotope", "同位素"), ("permanent magnet", "永磁体"),
        ("ceramic", "陶瓷"), ("glass", "玻璃"), ("composite", "复合材料"), ("resin", "树脂"),
        ("elastomer", "弹性体"), ("mixture", "混合物"), ("solution", "溶液"), ("hydride", "氢化物"),
        ("scrap", "碎料"),
    ],
    "D": [
        ("software", "软件"), ("source code", "源代码"), ("control software", "控制软件"),
        ("simulation software", "仿真软件"), ("design software", "设计软件"), ("firmware", "固件"),
        ("process-control program", "过程控制程序"), ("modelling tool", "建模工具"),
        ("signal-processing library", "信号处理库"), ("cryptographic library", "密码库"),
        ("navigation algorithm", "导航算法"), ("guidance software", "制导软件"),
        ("machining program", "加工程序"), ("test software", "测试软件"),
        ("optimisation toolkit", "优化工具包"), ("data-fusion software", "数据融合软件"),
    ],
    "E": [
        ("technology", "技术"), ("process technology", "工艺技术"),
        ("production know-how", "生产诀窍"), ("design data", "设计数据"),
        ("technical data package", "技术资料包"), ("process specification", "工艺规范"),
        ("process parameters", "工艺参数"), ("manufacturing technology", "制造技术"),
        ("assembly technology", "装配技术"), ("commissioning know-how", "调试技术"),
        ("maintenance and repair technology", "维护维修技术"),
        ("purification technology", "提纯技术"),
        ("smelting and separation technology", "冶炼分离技术"),
        ("recycling technology", "回收利用技术"), ("integration technology", "集成技术"),
        ("testing methodology", "测试方法"),
    ],
}

PURPOSES = [
    ("for missile guidance", "用于导弹制导"), ("for space launch vehicles", "用于航天运载火箭"),
    ("for sounding rockets", "用于探空火箭"), ("for unmanned aerial vehicles", "用于无人驾驶航空飞行器"),
    ("for nuclear fuel processing", "用于核燃料处理"), ("for isotope separation", "用于同位素分离"),
    ("for heavy-water production", "用于重水生产"), ("for uranium enrichment", "用于铀浓缩"),
    ("for handling toxic chemicals", "用于处理有毒化学品"), ("for biological containment", "用于生物防护"),
    ("for semiconductor manufacturing", "用于半导体制造"),
    ("for lithium-ion battery production", "用于锂离子电池生产"),
    ("for rare-earth separation", "用于稀土分离"), ("for permanent magnet manufacturing", "用于永磁体制造"),
    ("for superhard material synthesis", "用于超硬材料合成"),
    ("for aero-engine hot sections", "用于航空发动机热端部件"),
    ("for underwater navigation", "用于水下导航"), ("for satellite communication", "用于卫星通信"),
    ("for electronic warfare", "用于电子战"), ("for counter-drone systems", "用于反无人机系统"),
    ("for radar cross-section reduction", "用于降低雷达截面"), ("for infrared imaging", "用于红外成像"),
    ("for night vision", "用于夜视"), ("for laser rangefinding", "用于激光测距"),
    ("for inertial navigation", "用于惯性导航"), ("for gravity surveys", "用于重力测量"),
    ("for submarine detection", "用于潜艇探测"), ("for deep-sea exploration", "用于深海探测"),
    ("for cryptographic key management", "用于密钥管理"), ("for network surveillance", "用于网络监控"),
    ("for quantum communication", "用于量子通信"), ("for high-performance computing", "用于高性能计算"),
    ("for vacuum deposition", "用于真空镀膜"), ("for precision machining", "用于精密加工"),
    ("for composite manufacturing", "用于复合材料制造"), ("for propellant production", "用于推进剂生产"),
    ("for explosive initiation", "用于起爆"), ("for neutron generation", "用于中子产生"),
    ("for plasma diagnostics", "用于等离子体诊断"), ("for flight control", "用于飞行控制"),
    ("for telemetry and telecontrol", "用于遥测遥控"), ("for environmental testing", "用于环境试验"),
    ("for hypersonic testing", "用于高超声速试验"), ("for thermal protection", "用于热防护"),
    ("for magnetic refrigeration", "用于磁制冷"), ("for optical fibre amplifiers", "用于光纤放大器"),
    ("for scintillation detectors", "用于闪烁探测器"), ("for phosphor production", "用于荧光粉生产"),
    ("for hydrogen storage", "用于储氢"), ("for wafer slicing", "用于晶圆切割"),
]

QUALIFIERS = [("", ""), ("", ""), ("Specially designed ", "专门设计"), ("Specially modified ", "专门改进"),
              ("Prepared ", "专门制备")]
STAGES = [("development", "研制"), ("production", "生产"), ("use", "使用"), ("repair", "维修"),
          ("upgrading", "升级")]

# (Chinese template, English template, value makers)
PARAMETERS = [
    ("纯度≥{0}%", "purity ≥ {0}%", (lambda r: r.choice(["99.9", "99.95", "99.99", "99.995", "99.999", "99.9999"]),)),
    ("工作频率{0}～{1} GHz", "operating frequency {0}-{1} GHz",
     (lambda r: r.choice([1, 2, 4, 8, 12, 18]), lambda r: r.choice([26, 40, 67, 90, 110]))),
    ("定位精度优于{0} µm", "positioning accuracy better than {0} µm", (lambda r: r.choice(["0.5", "0.9", "1.1", "2", "6"]),)),
    ("输出功率≥{0} W", "output power ≥ {0} W", (lambda r: r.choice([5, 40, 150, 500, 1500, 10000]),)),
    ("工作温度{0} ℃～{1} ℃", "operating temperature {0} °C to {1} °C",
     (lambda r: r.choice([-196, -55, -45, -40]), lambda r: r.choice([85, 125, 200, 350]))),
    ("平均粒径≤{0} µm", "average particle size ≤ {0} µm", (lambda r: r.choice([5, 8, 10, 50, 60, 200, 500]),)),
    ("密度>{0} g/cm³", "density > {0} g/cm³", (lambda r: r.choice(["1.73", "1.8", "3", "8.4", "17.5"]),)),
    ("抗拉强度≥{0} MPa", "tensile strength ≥ {0} MPa", (lambda r: r.choice([460, 900, 1270, 1500, 2000]),)),
    ("能量密度≥{0} Wh/kg", "energy density ≥ {0} Wh/kg", (lambda r: r.choice([250, 300, 350, 480]),)),
    ("容积≥{0} m³", "volume ≥ {0} m³", (lambda r: r.choice(["0.1", "1", "5", "20", "60"]),)),
    ("合成压力≥{0} GPa", "synthesis pressure ≥ {0} GPa", (lambda r: r.choice([5, 6, 8, 10]),)),
    ("偏值稳定性<{0} µg", "bias stability < {0} µg", (lambda r: r.choice([50, 130, 500, 1250]),)),
    ("漂移率<{0}°/h", "drift rate < {0}°/h", (lambda r: r.choice(["0.002", "0.01", "0.5", "1"]),)),
    ("分辨率优于{0} nm", "resolution better than {0} nm", (lambda r: r.choice([7, 14, 28, 45, 65]),)),
    ("带宽>{0} MHz", "bandwidth > {0} MHz", (lambda r: r.choice([20, 100, 500, 1000, 4000]),)),
    ("密钥长度>{0}位", "key length > {0} bits", (lambda r: r.choice([56, 64, 112, 512]),)),
    ("工作深度>{0} m", "operating depth > {0} m", (lambda r: r.choice([300, 1000, 3000, 6000]),)),
    ("推力>{0} kN", "thrust > {0} kN", (lambda r: r.choice(["0.4", "8.9", "50", "200"]),)),
    ("总冲≥{0} MN·s", "total impulse ≥ {0} MN·s", (lambda r: r.choice(["0.841", "1.1", "2.5"]),)),
    ("射程≥{0} km", "range ≥ {0} km", (lambda r: r.choice([50, 300, 1000, 3000]),)),
    ("续航时间≥{0} min", "endurance ≥ {0} min", (lambda r: r.choice([30, 60, 120, 600]),)),
    ("总剂量≥{0}×10³ Gy(Si)", "total dose ≥ {0} × 10³ Gy(Si)", (lambda r: r.choice([1, 5, 50]),)),
    ("采样率>{0} GS/s", "sample rate > {0} GS/s", (lambda r: r.choice(["1.3", "2.5", "10", "64"]),)),
    ("背景噪声<{0} dB", "background noise < {0} dB", (lambda r: r.choice([80, 100, 120]),)),
    ("比模量>{0}×10⁶ m", "specific modulus > {0} × 10⁶ m", (lambda r: r.choice(["3.18", "12.7", "14.65"]),)),
    ("峰值电流≥{0} A", "peak current ≥ {0} A", (lambda r: r.choice([100, 500, 5000]),)),
    ("日处理量≥{0} m³", "daily throughput ≥ {0} m³", (lambda r: r.choice([500, 1000, 5000]),)),
    ("压实密度≥{0} g/cm³", "compacted density ≥ {0} g/cm³", (lambda r: r.choice(["2.3", "2.5", "2.6"]),)),
]

HS_HEADINGS = {
    "A": ["8411", "8412", "8471", "8481", "8482", "8504", "8507", "8517", "8526", "8532", "8541",
          "8542", "8543", "8806", "9013", "9014", "9015", "9027"],
    "B": ["8419", "8445", "8454", "8456", "8457", "8458", "8459", "8462", "8479", "8486", "9024",
          "9030", "9031", "9032"],
    "C": ["2504", "2805", "2825", "2841", "2842", "2846", "2849", "2850", "2853", "3801", "3818",
          "3824", "6815", "7105", "8101", "8102", "8106", "8110", "8112"],
}
SYNTHETIC_NOTES = [
    "Synthetic entry for benchmarks; not a real control.",
    "Threshold values are random examples.",
    "Parent entry groups related synthetic items.",
]


def _top_code(index: int, digits: str) -> str:
    regime = digits[index % len(digits)]
    index //= len(digits)
    tail = index % 100
    index //= 100
    item_type = ITEM_TYPES[index % 5]
    sector = SECTORS[index // 5]
    return f"{sector}{item_type}{regime}{tail:02d}"


def _top_codes(rng: random.Random, n: int) -> list[str]:
    """n distinct top-level codes, regime-pattern digits first, then the spare third digits."""
    per_digit = len(SECTORS) * len(ITEM_TYPES) * 100
    main_pool = per_digit * len(REGIME_DIGITS)
    if n <= main_pool:
        return [_top_code(i, REGIME_DIGITS) for i in rng.sample(range(main_pool), n)]
    codes = [_top_code(i, REGIME_DIGITS) for i in range(main_pool)]
    extra = rng.sample(range(per_digit * len(EXTRA_DIGITS)), n - main_pool)
    return codes + [_top_code(i, EXTRA_DIGITS) for i in extra]


def _sort_key(code: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in code.split("."))


def _parameters(rng: random.Random, item_type: str) -> tuple[str, str]:
    count = rng.choice((0, 1, 1, 2, 2, 3) if item_type in "ABC" else (0, 0, 0, 1))
    zh, en = [], []
    for tmpl_zh, tmpl_en, makers in rng.sample(PARAMETERS, count):
        values = [make(rng) for make in makers]
        zh.append(tmpl_zh.format(*values))
        en.append(tmpl_en.format(*values))
    return "；".join(zh), "; ".join(en)


def _hs_codes(rng: random.Random, item_type: str) -> list[str]:
    headings = HS_HEADINGS.get(item_type)
    if not headings or rng.random() < 0.15:
        return []
    return [f"{rng.choice(headings)}{rng.randrange(10**6):06d}" for _ in range(rng.choice((1, 1, 1, 2, 3)))]


def _describe(rng: random.Random, item_type: str, material: int) -> tuple[str, str]:
    adj_en, adj_zh = rng.choice(ADJECTIVES)
    mat_en, mat_zh = MATERIALS[material]
    purpose_en, purpose_zh = rng.choice(PURPOSES)
    if item_type in "DE":
        noun_en, noun_zh = rng.choice(NOUNS[item_type])
        obj_en, obj_zh = rng.choice(NOUNS[rng.choice("ABC")])
        stage_en, stage_zh = rng.choice(STAGES)
        en = f"{noun_en} for the {stage_en} of {adj_en} {mat_en} {obj_en}s {purpose_en}"
        zh = f"{purpose_zh}的{adj_zh}{mat_zh}{obj_zh}{stage_zh}{noun_zh}"
    else:
        noun_en, noun_zh = rng.choice(NOUNS[item_type])
        qual_en, qual_zh = rng.choice(QUALIFIERS)
        en = f"{qual_en}{adj_en} {mat_en} {noun_en} {purpose_en}"
        zh = f"{qual_zh}{purpose_zh}的{adj_zh}{mat_zh}{noun_zh}"
    return zh, en[0].upper() + en[1:]


def _entry(rng: random.Random, code: str, parent: str, material: int) -> dict:
    item_type = code[1]
    zh, en = _describe(rng, item_type, material)
    params_zh, params_en = _parameters(rng, item_type)
    uncertain = rng.random() < 0.05
    if uncertain:
        notes = "Synthetic: marked uncertain to exercise the flag."
    elif rng.random() < 0.1:
        notes = rng.choice(SYNTHETIC_NOTES)
    else:
        notes = ""
    return {
        "code": code, "parent": parent, "description_zh": zh, "description_en": en,
        "parameters_zh": params_zh, "parameters_en": params_en,
        "hs_codes": _hs_codes(rng, item_type), "notes": notes, "uncertain": uncertain,
    }


def _child_suffix(level: int, index: int) -> str:
    # level 1 and 3 are letters (.a .. .z), level 2 is a number (.1 .. .99)
    return string.ascii_lowercase[index] if level != 2 else str(index + 1)


def generate(count: int, *, seed: int = 1, label: str = "synthetic",
             effective_from: str = "2030-01-01") -> dict:
    """Return a dict in the dualuse-control-list/1 layout with `count` entries."""
    if count < 0:
        raise ValueError("count must not be negative")
    rng = random.Random(seed)
    capacity = {1: 26, 2: 99, 3: 26}
    top_limit = len(SECTORS) * len(ITEM_TYPES) * 100 * (len(REGIME_DIGITS) + len(EXTRA_DIGITS))
    n_top = min(count, max(1, round(count * TOP_SHARE)) if count else 0, top_limit)
    if count - n_top > n_top * 26 * (1 + 99 + 99 * 26):
        raise ValueError(f"count {count} is more than the code space allows")

    entries = []
    material = {}
    levels: dict[int, list[str]] = {0: _top_codes(rng, n_top), 1: [], 2: [], 3: []}
    for code in levels[0]:
        material[code] = rng.randrange(len(MATERIALS))
        entries.append(_entry(rng, code, "", material[code]))

    # Parents that still have room for another child, per level, with swap-remove bookkeeping.
    open_parents = {level: list(codes) for level, codes in levels.items()}
    position = {code: i for i, code in enumerate(open_parents[0])}
    children: dict[str, int] = {}
    for _ in range(count - n_top):
        level = rng.choices((1, 2, 3), weights=LEVEL_WEIGHTS)[0]
        if not open_parents[level - 1]:
            level = next(lv for lv in (1, 2, 3) if open_parents[lv - 1])
        pool = open_parents[level - 1]
        parent = pool[rng.randrange(len(pool))]
        index = children.get(parent, 0)
        children[parent] = index + 1
        if index + 1 == capacity[level]:
            last = pool.pop()
            if last != parent:
                pool[position[parent]] = last
                position[last] = position[parent]
        code = f"{parent}.{_child_suffix(level, index)}"
        levels[level].append(code)
        if level < 3:
            position[code] = len(open_parents[level])
            open_parents[level].append(code)
        # Sub-items mostly stay with their parent's material, as in a real list.
        material[code] = material[parent] if rng.random() < 0.8 else rng.randrange(len(MATERIALS))
        entries.append(_entry(rng, code, parent, material[code]))

    entries.sort(key=lambda entry: _sort_key(entry["code"]))
    return {
        "format": FORMAT,
        "version": {
            "label": label,
            "effective_from": effective_from,
            "title_zh": "两用物项出口管制清单（合成数据）",
            "title_en": "Export Control List of Dual-use Items (synthetic)",
            "source": f"controllist.synthetic, seed {seed}; generated for benchmarks, not a real list",
        },
        "entries": entries,
    }


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print("usage: python -m controllist.versions.synthetic COUNT [OUTPUT.json]", file=sys.stderr)
        return 2
    data = generate(int(argv[0]))
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if len(argv) == 2:
        with open(argv[1], "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
