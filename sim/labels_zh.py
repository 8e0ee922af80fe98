"""The Chinese of the interface's English phrases (``sim.labels.tr``).

Keys are the exact English text the code writes (titles, axis labels, table headings,
sentences of the report); a template keeps its ``{fields}`` in both languages. A phrase
missing here is shown in English.
"""

from __future__ import annotations

PHRASES: dict[str, str] = {
    "scenario": "方案",
    "baseline": "基准",
    "mean": "均值",
    "95 % interval": "95% 置信区间",
    "replications": "重复次数",
    # terminal tables (sim.readout, sim.commands)
    "KPI": "指标",
    "95% CI low": "95% 下限",
    "95% CI high": "95% 上限",
    "95% interval": "95% 区间",
    "change": "变化",
    "real difference": "差异显著",
    "yes": "是",
    "no": "否",
    "{d} points": "{d} 个百分点",
    "{scenario} against {baseline}:": "{scenario} 对比 {baseline}：",
    "means (summary.csv has every KPI with its 95% interval):": (
        "均值（summary.csv 含全部指标及其 95% 置信区间）："
    ),
    "paired differences against {baseline} (scenario - baseline, over the same random "
    "numbers; comparison.csv has every KPI):": (
        "与 {baseline} 的配对差异（方案 − 基准，相同随机数；comparison.csv 含全部指标）："
    ),
    "Intervals cut to what is possible (a rate within 0-100 %, counts and money received "
    "not below 0): {names}.": (
        "置信区间已截断至可能范围（比率在 0-100% 之间，数量与金额不小于 0）：{names}。"
    ),
    # the scorecard (sim.scorecard)
    "total": "合计",
    "item": "项目",
    "target": "目标",
    "actual": "实际",
    "completion": "完成率",
    "score": "得分",
    "of": "满分",
    "veto": "否决",
    "the whole card": "整张考核表",
    "FIRES": "触发",
    "not evaluated (no measure)": "未评估（无数据）",
    "{name} scores on its rate ({name} / {of}) {rate} against {target}; its target is shown, "
    "not scored": (
        "{name} 按比率计分（{name} / {of}）{rate}，对比 {target}；金额目标仅作展示，不计分"
    ),
    "veto {veto} ({measure} {condition}, zeroes {scope}): {state}": (
        "否决项 {veto}（{measure} {condition}，清零 {scope}）：{state}"
    ),
    "month vetoed: {answer}": "本月被否决：{answer}",
    # figures and their readings in the report (sim.plots*, sim.reportfigures)
    "scorecard total (points)": "考核总分 (分)",
    "month, no veto": "未被否决的月份",
    "vetoed month": "被否决的月份",
    "replication (each its own simulated month)": "重复 (各为一个模拟月)",
    "month of the measurement window (30 days each)": "统计期内的月份 (每月 30 天)",
    "How does each scenario score month by month? (every replication-month)": "各方案每月得分如何? (每次重复的每个月)",
    "mean before vetoes": "否决前均值",
    "{share} of replications vetoed in this month": "本月 {share} 的重复被否决",
    "How does the one scorecard month score? ({scenario}, month {month}, every replication)": "唯一的考核月得分如何? ({scenario}, 第 {month} 月, 每次重复)",
    "maximum ({top} points)": "满分 ({top} 分)",
    "{share} vetoed": "{share} 被否决",
    "How does each month score? ({scenario}, every replication)": "每月得分如何? ({scenario}, 每次重复)",
    "95 % interval of the mean": "均值的 95% 置信区间",
    " (right is better)": " (越靠右越好)",
    " (lower is better)": " (越低越好)",
    "percentage points": "百分点",
    "What does changing the {param} do to the KPIs? (mean and 95 % interval)": "改变{param}对各项指标有何影响? (均值与 95% 置信区间)",
    "Which scenarios hold less stock or serve better than the baseline? (stock value against {kpi})": "哪些方案比基准库存更少或服务更好? (库存金额对{kpi})",
    "mean difference": "平均差值",
    "difference": "差值",
    "How does each scenario differ from the baseline '{baseline}'? (paired by replication, 95 % interval; red: excludes 0)": "各方案与基准 '{baseline}' 有何差别? (按重复配对, 95% 置信区间; 红色: 不含 0)",
    "a different regime, not joined": "不同的方案类型, 不连线",
    "target {target}": "目标 {target}",
    "difference ({unit})": "差值 ({unit})",
    "better than the baseline (95 % paired interval)": "优于基准 (95% 配对区间)",
    "better on one axis, worse on the other": "一项更好, 另一项更差",
    "worse than the baseline": "差于基准",
    "no difference the replications can tell": "重复之间无法分辨的差别",
    "scenario (no paired comparison)": "方案 (无配对比较)",
    "All parts: line-side stock value (the axis does not start at 0)": "全部配件: 线边库存金额 (纵轴不从 0 开始)",
    "parts out\n(part numbers)": "缺货配件\n(种)",
    "stocked parts": "库存件",
    "stocked parts out of stock": "缺货的库存件",
    "Busiest parts: units on the shelf (dashed: cards × container)": "需求最大的配件: 货架上的数量 (虚线: 卡数 × 每箱数量)",
    "time since the start of the run (days; day 0 is a Monday)": "自运行开始的时间 (天; 第 0 天为周一)",
    "all parts, with those ordered for a job": "全部配件, 含为工单订购的",
    "kanban ceiling: cards × container × unit cost": "看板上限: 卡数 × 每箱数量 × 单价",
    "stock value\n({currency})": "库存金额\n({currency})",
    "units on the shelf": "货架上的数量",
    "part received": "配件到货",
    "{scenario}, replication {replication}": "{scenario}, 第 {replication} 次重复",
    "replication {replication}": "第 {replication} 次重复",
    "How much stock sits beside the line, and when does it run out? ({where})": "线边有多少库存, 何时缺货? ({where})",
    "{part}\n(units)": "{part}\n(件)",
    "date (the run starts on {start})": "日期 (运行开始于 {start})",
    "out of stock": "缺货",
    "truck arrival": "货车到达",
    "{a} to {b}": "{a} 至 {b}",
    "hour of day": "一天中的小时",
    "occupancy: units held (% of pool)": "占用: 被占用的单元 (占资源池 %)",
    "Occupancy by hour of day (cars left overnight count)": "按小时的占用 (过夜停放的车辆计入)",
    "working hours": "工作小时",
    "elapsed hours": "日历小时",
    "jobs delivered (%)": "交车工单 (%)",
    "% of the pool's units": "占资源池单元的 %",
    "Utilisation in open time, per pool": "营业时间内的利用率, 按资源池",
    "promised time": "承诺时间",
    "open": "营业",
    "utilisation: busy in open time": "利用率: 营业时间内忙碌",
    "occupancy: held over all hours": "占用: 全天被占用",
    "How full are the bays by hour, and how busy while open?{where}": "工位每小时有多满, 营业时有多忙?{where}",
    "{jobs} jobs, {late} late": "{jobs} 单, {late} 延误",
    "delivery end − promised time ({unit}); left of the line early, right late": "交车完成 − 承诺时间 ({unit}); 线左提前, 线右延误",
    "How late are cars against their promise, in {unit}?": "车辆比承诺晚多少 ({unit})?",
    "{pool} ({size} units)": "{pool} ({size} 个单元)",
    "{pool} (1 unit)": "{pool} (1 个单元)",
    "No <code>scorecards.csv</code> in this folder: give the scenario <code>scorecard: {targets: ...}</code> to score every simulated month.": "此文件夹中没有 <code>scorecards.csv</code>: 在方案中设置 <code>scorecard: {targets: ...}</code> 以对每个模拟月评分。",
    "No month was scored (<code>scorecards.csv</code> has no rows).": "没有月份被评分 (<code>scorecards.csv</code> 没有数据行)。",
    "monthly scorecard totals": "月度考核总分",
    "Each point is one simulated month of one replication; red crosses are vetoed months (a card-level veto scores 0), the black line the mean, the dotted line the most a month can score. Read the gap between the mean before vetoes and the mean as what the vetoes cost.": "每个点是一次重复中的一个模拟月; 红叉为被否决的月份 (整张考核表否决得 0 分), 黑线为均值, 点线为每月满分。否决前均值与均值之差即否决造成的损失。",
    "No month was scored: the measurement window ({days} days) is shorter than a scorecard month ({month} days). Run with <code>--horizon {month}d</code> or longer to score the scenario's targets.": "没有月份被评分: 统计期 ({days} 天) 短于一个考核月 ({month} 天)。请用 <code>--horizon {month}d</code> 或更长的统计期运行, 以按方案目标评分。",
    "Each scenario from its trace": "各方案的过程记录",
    "trade-off frontier": "权衡前沿",
    "Each named point is a scenario; lower and further right is better. Its colour says how it differs from the baseline where the paired 95 % interval excludes zero: green better, red worse, orange better on one axis and worse on the other, grey no difference the replications can tell.": "每个标注的点是一个方案; 越低越靠右越好。颜色表示配对 95% 置信区间不含 0 时它与基准的差别: 绿色更好, 红色更差, 橙色一项更好一项更差, 灰色为重复之间无法分辨的差别。",
    "First week of the window, replication 0. Read the top panel for what the whole shelf is worth against its kanban ceiling, the red band for how many stocked parts are out at once, and the panels below for the three busiest parts' sawtooth, red where they ran out.": "统计期第一周, 第 0 次重复。上图为全部货架的库存金额与看板上限的对比, 红色区域为同时缺货的库存件数, 下方各图为需求最大的三种配件的锯齿曲线, 红色处为缺货。",
    "Left: the share of each space pool held by hour of day, nights included, so a car parked overnight shows as occupancy, not work. Right: utilisation (busy units over open time) beside occupancy; the longest blue bar is the busiest pool.": "左: 各工位池按小时被占用的比例, 含夜间, 过夜停放的车辆显示为占用而非作业。右: 利用率 (营业时间内忙碌的单元) 与占用并列; 最长的蓝条为最忙的资源池。",
    "KPIs against the swept parameter": "指标随扫描参数的变化",
    "paired differences against the baseline": "与基准的配对差值",
    "Read each row as the scenario minus the baseline; red where the 95 % interval excludes zero (a difference the replications can tell apart).": "每行为方案减基准; 红色表示 95% 置信区间不含 0 (重复之间可以分辨的差别)。",
    "{late} of the {n} jobs delivered in the window were late, {over} by more than one working hour.": "统计期内交车的 {n} 单中 {late} 延误, {over} 延误超过一个工作小时。",
    "line-side stock over time": "线边库存随时间变化",
    "bay occupancy and utilisation": "工位占用与利用率",
    "lateness against promise": "相对承诺的延误",
    "Lateness counts working hours only, so a night between promise and delivery adds nothing; bins are finer near the promise.": "延误只计工作小时, 承诺与交车之间的夜间不计入; 承诺时间附近的分组更细。",
    "Stock over time, bay occupancy and lateness need the trace tables: run with <code>--trace</code>.": "库存变化、工位占用与延误需要过程记录表: 请加 <code>--trace</code> 运行。",
    "Read along each line how the KPI moves with the {param}; bars are 95 % intervals over replications, so lines whose bars overlap may not differ.": "沿每条线看指标如何随{param}变化; 误差线为各次重复的 95% 置信区间, 误差线重叠的点可能并无差别。",
    "Hollow squares are scenarios defined differently (another regime, or a value that is not a number): compare them, but not along the line.": "空心方块为定义不同的方案 (另一种方式, 或非数值): 可以比较, 但不沿线比较。",
    # the report's tables and sections (sim.report)
    "Scenarios": "方案",
    "horizon": "统计期",
    "warm-up": "预热期",
    "seed": "随机种子",
    "hash": "哈希",
    "description": "说明",
    "What each scenario of the batch sets:": "批量中各方案的设置：",
    "Simulation report": "仿真报告",
    "simulation report": "仿真报告",
    "KPIs with 95 % intervals": "指标及 95% 置信区间",
    "Figures": "图表",
    "Monthly after-sales scorecard": "售后部门月度考核",
    "months": "月数",
    "mean total (of {top})": "平均总分（满分 {top}）",
    "mean total before vetoes": "否决前平均总分",
    "P(month vetoed)": "月份被否决的概率",
    "P({rule} fires)": "{rule} 触发的概率",
    "Comparison with the baseline {baseline}": "与基准 {baseline} 的比较",
    "Parts that made jobs wait longest": "导致工单等待最久的配件",
    "part number": "零件号",
    "stocked": "是否库存",
    "size": "规格",
    "Pools and job types": "资源池与工单类型",
    "pool": "资源池",
    "bottleneck": "瓶颈",
    "Bottleneck: <b>{pool}</b>, the pool with the highest utilisation, {mean} %{band}.": (
        "瓶颈：<b>{pool}</b>，利用率最高的资源池，{mean}%{band}。"
    ),
    "Mean over replications and, below it, the 95 % confidence interval (Student t), cut to "
    "what the KPI can be. Rates in per cent (the CSV files keep fractions: 0.95), times in "
    "hours, money in {currency}. Replications: {reps}. Every number is in "
    "<code>summary.csv</code>, under the KPI's id.": (
        "各次重复的均值，其下为 95% 置信区间（t 分布），已截断至指标可能的范围。比率以百分数"
        "表示（CSV 文件保留小数：0.95），时间以小时计，金额单位为 {currency}。重复次数：{reps}。"
        "所有数字均在 <code>summary.csv</code> 中，以指标代码列出。"
    ),
    "Each replication's measurement window is cut into 30-day months, each scored against "
    "the scenario's targets. A month is vetoed when any veto rule fires; a card-level veto "
    "zeroes its total. Probabilities are the share of months, averaged per replication, with "
    "95 % intervals over replications.": (
        "每次重复的统计期按 30 天切分为月份，逐月对照方案目标打分。任一否决规则触发即该月被否决；"
        "整表否决使总分清零。概率为被否决月份的占比（按重复取平均），附各次重复的 95% 置信区间。"
    ),
    "Scenario − baseline, paired replication by replication (common random numbers: "
    "replication r of every scenario sees the same cars and jobs), with the 95 % interval of "
    "the paired differences; rates change in percentage points, other KPIs in their unit "
    "with the change relative to the baseline. <b class='sig'>Bold red</b>: the interval "
    "excludes 0, a real difference; otherwise the difference is within the noise. Every KPI "
    "is in <code>comparison.csv</code>.": (
        "方案 − 基准，按重复逐次配对（共同随机数：各方案的第 r 次重复看到相同的车辆和工单），"
        "附配对差异的 95% 置信区间；比率的变化以百分点表示，其他指标以其单位表示，并给出相对基准"
        "的变化。<b class='sig'>红色粗体</b>：区间不含 0，差异显著；否则差异在随机波动之内。"
        "全部指标见 <code>comparison.csv</code>。"
    ),
    "The parts with the most job-hours waited for them (<code>parts_wait_h</code>: from a "
    "job's first operation's start to the issue of the part's last missing unit), means over "
    "replications; size is the policy size used, and an emergency order for k lines counts "
    "1/k for each of its parts. Every part is in <code>parts.csv</code>.": (
        "工单等待工时最多的配件（<code>parts_wait_h</code>：从工单首道工序开始到该配件最后一件"
        "缺件发出），为各次重复的均值；规格为所用策略的参数，一张含 k 行的紧急订单对其每个配件"
        "计 1/k。全部配件见 <code>parts.csv</code>。"
    ),
    "Means over replications. A pool's utilization is its busy unit-time over its size × "
    "the working time of the window (as <code>bay_utilization</code>, per pool); occupancy "
    "is the time-average units held over elapsed time, nights included (a car left in a bay "
    "overnight counts); the mean wait runs from joining the pool's queue to the grant, over "
    "the operations (rework included) that take it as their first pool. A job type's figures "
    "are the KPIs of the same name over its jobs; its wait runs from the end of reception to "
    "holding every pool of the first operation. Intervals are in "
    "<code>breakdown.csv</code>.": (
        "各次重复的均值。资源池利用率为其忙碌的单位时间除以（规模 × 统计期工作时间）（即按资源池"
        "计算的 <code>bay_utilization</code>）；占用为按日历时间（含夜间）平均的占用单位数"
        "（车辆夜间停在工位也计入）；平均等待为从进入该资源池队列到获得资源的时间，统计以其为首个"
        "资源池的工序（含返工）。工单类型的指标为其工单上的同名指标；其等待为从接车结束到获得首道"
        "工序全部资源的时间。置信区间见 <code>breakdown.csv</code>。"
    ),
    # the size optimiser (sim.optimize, sim.optplots, sim.optreport)
    "optimize {name}: {size} of {n} stocked parts, least {objective}, targets {aims}": (
        "优化 {name}：{n} 种库存件的{size}，{objective}最低，目标 {aims}"
    ),
    "search: {points} points in {steps} steps on seed {seed}, {reps} replications each; stopped: {reason}; {wall}": (
        "搜索：{steps} 步共仿真 {points} 个方案点（种子 {seed}，每点 {reps} 次重复）；停止原因：{reason}；用时 {wall}"
    ),
    "checked on fresh random numbers (seed {seed}, {reps} replications): {verdict}": (
        "以新的随机数复核（种子 {seed}，{reps} 次重复）：{verdict}"
    ),
    "every target met": "全部目标达成",
    "NOT confirmed: {missed}": "未通过复核：{missed}",
    "no point met every target on the search seed; the closest kept: {best}": (
        "在搜索种子上没有方案点达成全部目标；最接近的保留点：{best}"
    ),
    "given sizes": "原有数量",
    "optimised": "优化后",
    "change, paired 95% interval": "变化（配对 95% 区间）",
    "kanban cards": "看板卡数",
    "order-up-to levels (units)": "补货上限 (件)",
    "reorder points (units)": "再订货点 (件)",
    "kept": "保留",
    "confirmed on fresh random numbers": "经新随机数复核通过",
    "missed on fresh random numbers": "新随机数复核未通过",
    "step {step} {what}: point {point}, {objective} {value}, {kpis}": (
        "第 {step} 步 {what}：方案点 {point}，{objective} {value}，{kpis}"
    ),
    "no move helps": "再无有效调整",
    "the budget is spent": "时间预算用完",
    "confirmation missed too often": "复核多次未通过",
    "the round limit": "达到轮数上限",
    "the best confirmed answer so far is in {out}": "目前经复核的最优结果在 {out}",
    "no answer was confirmed yet; the path so far is in {path}": (
        "尚无经复核的结果；目前的搜索路径在 {path}"
    ),
    "interrupted": "已中断",
    "How did the search reach the least {objective} that meets the targets?": (
        "搜索如何找到达成目标的最低{objective}？"
    ),
    "target KPIs (dashed: the target)": "目标指标（虚线：目标值）",
    "points simulated, in order": "按顺序仿真的方案点",
    "Where does the stock sit, and which part classes carry the service?": (
        "库存放在哪里，哪些配件类别承担了服务水平？"
    ),
    "Optimised sizes": "优化后的库存数量",
    "Sizes ({size}) per part that meet every target ({aims}) at the least {objective}, found by simulation on seed {seed} with {reps} replications per point and checked on seed {check}. Status: {status}; the search stopped because: {stop}.": (
        "逐件确定的数量（{size}）：在达成全部目标（{aims}）的前提下使{objective}最低；由仿真在种子 {seed} 上搜索得出，每个方案点 {reps} 次重复，并在种子 {check} 上复核。状态：{status}；搜索停止原因：{stop}。"
    ),
    "given sizes, fresh random numbers": "原有数量，新随机数",
    "optimised, fresh random numbers": "优化后，新随机数",
    "optimised, search seed": "优化后，搜索种子",
    "size total (cards or units)": "数量合计（卡数或件数）",
    "The {n} parts whose stock changed most ({m} sizes changed)": (
        "库存变化最大的 {n} 种配件（共 {m} 种配件数量有变化）"
    ),
    "part": "配件",
    "class": "类别",
    "stock, given ({cur})": "原有库存 ({cur})",
    "stock, optimised ({cur})": "优化后库存 ({cur})",
    "change ({cur})": "变化 ({cur})",
    "fill rate, given (%)": "原有满足率 (%)",
    "fill rate, optimised (%)": "优化后满足率 (%)",
    "the path of the search": "搜索路径",
    "stock and fill rate by part class": "各配件类别的库存与满足率",
    "The search simulated {points} points in {steps} steps on the same random numbers and kept {kept}; the answer holds {answer} {cur} of {objective} against {given} {cur} with the given sizes ({change:+.1f} %), both on the confirmation's fresh random numbers.": (
        "搜索在相同随机数上分 {steps} 步仿真了 {points} 个方案点，保留 {kept} 个；结果的{objective}为 {answer} {cur}，原有数量为 {given} {cur}（{change:+.1f} %），两者均为复核用的新随机数上的结果。"
    ),
    "Stock changes most in {cls} ({delta} {cur}); in the answer the classes' fill rates run from {lo:.1f} % ({cls_lo}) to {hi:.1f} % ({cls_hi}): an aggregate target lets some classes carry more of the service than others.": (
        "库存变化最大的是 {cls}（{delta} {cur}）；结果中各类别满足率从 {lo:.1f} %（{cls_lo}）到 {hi:.1f} %（{cls_hi}）：总体目标允许部分类别承担更多的服务水平。"
    ),
    "{spent} elapsed": "已用 {spent}",
    ", at most {left} left (the budget)": "，预算内最多还剩 {left}",
    # a region's report (sim.report, sim.regionreport)
    "Region report": "区域报告",
    "Region {region}": "区域 {region}",
    "Dealer {dealer}": "经销商 {dealer}",
    "dealer": "经销商",
    "centre setting": "中心库设置",
    "value": "取值",
    "{dealers} dealers on one parts centre; {reps} replications of {horizon} after a "
    "warm-up of {warmup}, seed {seed}. Every dealer orders its parts from the centre, "
    "which orders from the plant.": (
        "{dealers} 家经销商共用一个配件中心库；预热 {warmup} 后统计 {horizon}，{reps} 次重复，"
        "种子 {seed}。各经销商向中心库订货，中心库向工厂订货。"
    ),
    "Means over replications with, below each, the 95 % confidence interval (Student t); "
    "rates in per cent, times in hours, money in {currency}. Each dealer's own report "
    "follows the overview.": (
        "各次重复的均值，其下为 95% 置信区间（Student t）；比率以 % 表示，时间以小时表示，"
        "金额以 {currency} 表示。总览之后为各经销商自己的报告。"
    ),
    "The parts centre": "配件中心库",
    "mean and 95 % interval": "均值与 95% 置信区间",
    "<code>summary.csv</code> has no rows of the centre.": (
        "<code>summary.csv</code> 中没有中心库的行。"
    ),
    "The dealers side by side": "各经销商对比",
    "On time and fill rate of each dealer": "各经销商的承诺时间修复率与满足率",
    "on time and fill rate of each dealer": "各经销商的承诺时间修复率与满足率",
    "Each dot is a dealer's mean over replications, the bar its 95 % interval: dealers "
    "whose bars do not overlap differ by more than the replications' noise. The dealers "
    "share the centre, so one dealer's orders can leave another short.": (
        "每个点为一家经销商各次重复的均值，横条为其 95% 置信区间：横条不重叠的经销商之间的差异"
        "超出了重复间的随机波动。各经销商共用中心库，一家的订货可能使另一家缺货。"
    ),
    "Parts most often short at the centre": "中心库最常缺货的配件",
    "<code>parts.csv</code> has no rows of the centre.": (
        "<code>parts.csv</code> 中没有中心库的行。"
    ),
    "No dealer order line was short at the centre ({n} parts in its catalogue).": (
        "中心库没有缺货的经销商订货行（其目录共 {n} 种配件）。"
    ),
    "The top {shown} of the {short} parts the centre was short of, of {n} in its "
    "catalogue: means over replications of the window, most lines short first, then most "
    "units owed to dealers. Every part is in <code>parts.csv</code> (dealer "
    "<code>centre</code>).": (
        "中心库目录 {n} 种配件中有 {short} 种缺过货，此处列出前 {shown} 种：统计期内各次重复的"
        "均值，按缺货行数从多到少，再按欠经销商的件数排列。全部配件见 <code>parts.csv</code>"
        "（dealer 为 <code>centre</code>）。"
    ),
    "order-up-to level (units)": "补货上限 (件)",
    "unit cost": "单价",
    "order lines": "订货行数",
    "units ordered": "订货件数",
    "fill rate (%)": "满足率 (%)",
    "lines short": "缺货行数",
    "mean on hand (units)": "平均在库 (件)",
    "mean owed (units)": "平均欠货 (件)",
    "emergency units": "紧急订货件数",
    "express units from the plant": "工厂加急件数",
}
