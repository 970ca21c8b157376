"""Fixed wording of the report in English and Chinese (headings, labels, sentence templates)."""

from __future__ import annotations

from typing import Any

from ..tables.i18n import INVARIANCE_LEVELS

__all__ = ["CHECK_NAMES", "CHECK_ZH", "OPTION_LABELS", "TEXT", "check_name", "issue_text_zh", "option_value", "tr"]

TEXT: dict[str, dict[str, str]] = {
    # document
    "report_title": {"en": "Survey Wave Report: {title}", "zh": "调查数据分析报告：{title}"},
    "contents": {"en": "Contents", "zh": "目录"},
    "generated": {"en": "Generated {when}", "zh": "生成时间：{when}"},
    "table": {"en": "Table", "zh": "表"},
    "figure": {"en": "Figure", "zh": "图"},
    "error": {"en": "Error", "zh": "错误"},
    "warning": {"en": "Warning", "zh": "警告"},
    "note": {"en": "Note", "zh": "说明"},
    # sections
    "sec_overview": {"en": "Overview", "zh": "概览"},
    "sec_sample": {"en": "Sample and Data Quality", "zh": "样本与数据质量"},
    "sec_items": {"en": "Item Analysis", "zh": "项目分析"},
    "sec_reliability": {"en": "Reliability and Validity", "zh": "信度与效度"},
    "sec_efa": {"en": "Exploratory Factor Analysis", "zh": "探索性因子分析"},
    "sec_cfa": {"en": "Confirmatory Factor Analysis", "zh": "验证性因子分析"},
    "sec_sem": {"en": "Structural Model and Mediation", "zh": "结构模型与中介效应"},
    "sec_hypotheses": {"en": "Hypothesis Tests (PROCESS)", "zh": "假设检验（PROCESS）"},
    "sec_waves": {"en": "Change Across Waves", "zh": "跨轮次比较"},
    "sec_groups": {"en": "Invariance Across Groups ({group})", "zh": "跨群组测量不变性（{group}）"},
    "sec_community": {"en": "Community-Level Results", "zh": "社区层面结果"},
    "sec_methods": {"en": "Methods", "zh": "研究方法"},
    "sec_appendix": {"en": "Appendix: The Instrument", "zh": "附录：调查问卷"},
    "sec_provenance": {"en": "Provenance", "zh": "可追溯信息"},
    # facts
    "instrument": {"en": "Instrument", "zh": "问卷"},
    "model": {"en": "Structural model", "zh": "结构模型"},
    "waves": {"en": "Waves", "zh": "调查轮次"},
    "respondents": {"en": "Respondents analysed", "zh": "分析样本量"},
    "respondents_read": {"en": "Respondents read", "zh": "读入样本量"},
    "communities": {"en": "Communities", "zh": "社区数"},
    "estimator": {"en": "Estimator", "zh": "估计方法"},
    "missing_data": {"en": "Missing data", "zh": "缺失值处理"},
    "bootstrap": {"en": "Bootstrap replicates", "zh": "Bootstrap 重抽样次数"},
    "seed": {"en": "Random seed", "zh": "随机种子"},
    "call": {"en": "Made by", "zh": "生成命令"},
    "excluded_checks": {"en": "Rows removed by", "zh": "剔除依据"},
    "none": {"en": "none", "zh": "无"},
    "custom_model": {"en": "user-supplied model", "zh": "用户指定模型"},
    "problems": {"en": "Some analyses could not be completed; their sections say why: {names}.",
                 "zh": "部分分析未能完成，原因见相应章节：{names}。"},
    # sample
    "sample_text": {
        "en": "{n_read} responses were read from {n_inputs} input(s) ({waves}). {excl} {n} respondents were analysed.",
        "zh": "共读入 {n_inputs} 个数据来源的 {n_read} 份问卷（{waves}）。{excl}最终分析样本为 {n} 人。",
    },
    "wave_list": {"en": "waves {labels}", "zh": "调查轮次：{labels}"},
    "excl_removed": {"en": "{n} respondents flagged by {checks} were removed.",
                     "zh": "按 {checks} 检查标记的 {n} 份问卷已剔除；"},
    "excl_none": {"en": "No respondents were removed.", "zh": "未剔除任何问卷；"},
    "tbl_issues": {"en": "Data Validation Findings", "zh": "数据检验结果"},
    "no_issues": {"en": "The validation found no problems in the data.", "zh": "数据检验未发现问题。"},
    "issues_errors": {"en": "The validation found {n} error(s): the affected values were set to missing before "
                            "the analyses (see the table).",
                      "zh": "数据检验发现 {n} 处错误：相应数值在分析前已设为缺失（见下表）。"},
    "tbl_exclusions": {"en": "Flagged Respondents: Removed or Kept", "zh": "被标记问卷的处理（剔除或保留）"},
    "tbl_missing": {"en": "Missing Answers by Item", "zh": "各题项缺失情况"},
    "missing_text": {"en": "Item missingness ranged from {lo}% to {hi}% (mean {mean}%).",
                     "zh": "各题项缺失率为 {lo}%～{hi}%（平均 {mean}%）。"},
    "fig_likert": {"en": "Distribution of Answers by Item", "zh": "各题项作答分布"},
    "cmb_harman": {"en": "Harman: first unrotated factor explains {pca} (PCA; EFA {efa}), {side} {cut}",
                   "zh": "Harman 单因子检验：未旋转的第一个因子解释 {pca} 的变异（主成分分析；因子分析为 {efa}），"
                         "{side} {cut}"},
    "cmb_above": {"en": "above", "zh": "高于"},
    "cmb_below": {"en": "below", "zh": "低于"},
    "cmb_single": {"en": "single factor vs measurement model: Δχ²({df}) = {chisq}, p {p}, CFI {cfi1} vs {cfi0}",
                   "zh": "单因子模型与测量模型比较：Δχ²({df}) = {chisq}，p {p}，CFI 为 {cfi1}（测量模型 {cfi0}）"},
    "cmb_ulmc": {"en": "ULMC ({loadings} loadings): ΔCFI = {dcfi}, ΔRMSEA = {drmsea}, mean method variance {share}",
                 "zh": "加入共同方法因子（ULMC，{loadings}载荷）后：ΔCFI = {dcfi}，ΔRMSEA = {drmsea}，"
                       "方法方差平均占 {share}"},
    "cmb_equal": {"en": "equal", "zh": "等值"},
    "cmb_free": {"en": "free", "zh": "自由估计"},
    "cmb_improper": {"en": " (improper solution)", "zh": "（解不合理）"},
    "cmb_nonconverged": {"en": " (did not converge)", "zh": "（未收敛）"},
    "cmb_sep": {"en": "; ", "zh": "；"},
    "cmb_end": {"en": ".", "zh": "。"},
    # items
    "tbl_items": {"en": "Item Statistics", "zh": "题项描述统计与项目分析"},
    "items_flags": {"en": "Items flagged: {flags}.", "zh": "需关注的题项：{flags}。"},
    "items_no_flags": {"en": "No item has a weak corrected item-total correlation (< .30).",
                       "zh": "所有题项的校正项总相关均不低于 0.30。"},
    "items_rule": {"en": "Flag rules: weak item-total correlation: CITC < .30; {ceiling}.",
                   "zh": "标记规则：项总相关偏低指 CITC < 0.30；{ceiling}。"},
    "flag_weak": {"en": "weak item-total correlation", "zh": "项总相关偏低"},
    "flag_floor": {"en": "floor effect", "zh": "地板效应"},
    "flag_ceiling": {"en": "ceiling effect", "zh": "天花板效应"},
    # reliability
    "fig_scores": {"en": "Distributions of the Construct Scores", "zh": "各构念得分分布"},
    "reliability_text": {"en": "Cronbach's alpha ranged from {lo} to {hi}.",
                         "zh": "各构念 Cronbach's α 系数介于 {lo}～{hi}。"},
    # efa
    "efa_factorability": {
        "en": "KMO = {kmo:.3f}; Bartlett's test of sphericity χ²({df:.0f}) = {chisq:.2f}, p {p}; determinant of "
              "the correlation matrix = {det:.2e}.",
        "zh": "KMO = {kmo:.3f}；Bartlett 球形检验 χ²({df:.0f}) = {chisq:.2f}，p {p}；相关矩阵行列式 = {det:.2e}。",
    },
    "efa_parallel": {"en": "Parallel analysis ({n_iter} simulated data sets) suggests {k} factor(s).",
                     "zh": "平行分析（{n_iter} 次模拟）建议保留 {k} 个因子。"},
    "efa_solution": {
        "en": "An EFA with {k} factors (the instrument's first-order constructs; {method} extraction, {rotation} "
              "rotation) gave TLI = {tli:.3f} and RMSEA = {rmsea:.3f}.",
        "zh": "按问卷一阶构念数提取 {k} 个因子（{method} 提取，{rotation} 旋转），TLI = {tli:.3f}，RMSEA = {rmsea:.3f}。",
    },
    "fig_scree": {"en": "Scree Plot with Parallel Analysis", "zh": "碎石图与平行分析"},
    # cfa / sem
    "measurement_model": {"en": "Measurement model (CFA)", "zh": "测量模型（CFA）"},
    "structural_model": {"en": "Structural model (SEM)", "zh": "结构模型（SEM）"},
    "fit_note_robust": {"en": "Robust (MLR) test statistic and fit indices.",
                        "zh": "卡方及拟合指数为稳健（MLR）校正值。"},
    "recodes_summary": {"en": "{n} item(s): {listing}", "zh": "{n} 个题项：{listing}"},
    "recode_option_alias": {"en": "{count} answer(s) given as another wording of an option were coded by the "
                                  "instrument's aliases ({listing})",
                            "zh": "{count} 个回答使用了选项的其他写法，已按问卷的别名编码（{listing}）；请核对"},
    "recode_missing_text": {"en": "{count} answer(s) were texts meaning no answer and are missing ({listing})",
                            "zh": "{count} 个回答为表示未作答的文字（如“不知道”“拒绝回答”、平台的“跳过”），已设为缺失"
                                  "（{listing}）"},
    "recode_missing_code": {"en": "{count} answer(s) were the instrument's missing codes and are missing ({listing})",
                            "zh": "{count} 个回答为问卷声明的缺失代码，已设为缺失（{listing}）"},
    "fit_text": {"en": "{what}: χ²({df}) = {chisq}, CFI = {cfi}, TLI = {tli}, RMSEA = {rmsea}, SRMR = {srmr}.",
                 "zh": "{what}：χ²({df}) = {chisq}，CFI = {cfi}，TLI = {tli}，RMSEA = {rmsea}，SRMR = {srmr}。"},
    "fit_note": {"en": "N = {n}; estimator {estimator}{missing}; χ² {scaling}.",
                 "zh": "N = {n}；估计方法 {estimator}{missing}；χ² {scaling}。"},
    "fit_note_missing": {"en": ", missing data by {how}", "zh": "，缺失值处理：{how}"},
    "fig_loadings": {"en": "Standardized Loadings of the Measurement Model", "zh": "测量模型标准化载荷"},
    "fig_path": {"en": "Path Diagram of the Structural Model (Standardized Estimates)",
                 "zh": "结构模型路径图（标准化估计值）"},
    "fig_indirect": {"en": "Indirect Effects with Confidence Intervals", "zh": "间接效应及其置信区间"},
    "model_syntax": {"en": "Model syntax (lavaan):", "zh": "模型语法（lavaan）："},
    "boot_text": {"en": "{n_ok} of {n} bootstrap replicates converged (seed {seed}); the intervals of the "
                        "effects below are {level}% percentile bootstrap intervals.",
                  "zh": "{n} 次 Bootstrap 重抽样中 {n_ok} 次收敛（随机种子 {seed}）；下表效应的置信区间为 {level}% "
                        "百分位 Bootstrap 置信区间。"},
    "delta_text": {"en": "No bootstrap was run; the intervals of the effects are delta-method intervals.",
                   "zh": "未进行 Bootstrap；效应的置信区间由 Delta 法计算。"},
    # hypothesis tests (PROCESS)
    "process_text": {"en": "PROCESS model {model} (Hayes, 2022) was estimated by OLS regression on the construct "
                           "scores (means of the items) of the {n} complete cases: X = {x}, Y = {y}{roles}. {boot}",
                     "zh": "以构念得分（题项均值）为观测变量，采用 OLS 回归估计 PROCESS 模型 {model}（Hayes, 2022），"
                           "有效样本 {n} 人：X = {x}，Y = {y}{roles}。{boot}"},
    "process_boot": {"en": "Indirect effects were tested with {level}% percentile bootstrap intervals from {b} "
                           "resamples (seed {seed}).",
                     "zh": "间接效应采用 {b} 次百分位 Bootstrap 重抽样（随机种子 {seed}）的 {level}% 置信区间检验。"},
    "fig_process": {"en": "Interaction and Johnson-Neyman Region of Significance",
                    "zh": "交互作用与 Johnson-Neyman 显著性区域"},
    # waves / groups
    "tbl_wave_means": {"en": "Construct Means by Wave", "zh": "各轮次构念得分均值"},
    "fig_trends": {"en": "Construct Means by Wave (95% CI)", "zh": "各轮次构念均值（95% 置信区间）"},
    "tbl_latent_means": {"en": "Latent Mean Differences", "zh": "潜均值差异"},
    "fig_invariance": {"en": "Fit Across the Invariance Steps", "zh": "测量不变性各步骤拟合指数"},
    "fig_latent_means": {"en": "Latent Mean Differences from the Reference Group",
                         "zh": "相对参照组的潜均值差异"},
    "scalar_not_held": {"en": "Scalar invariance was not supported, so the latent mean differences below are not "
                               "comparable and should not be interpreted as change.",
                        "zh": "强等同（截距等同）未得到支持，下列潜均值差异不具可比性，不宜解释为变化。"},
    "tbl_invariance_waves": {"en": "Measurement Invariance Across Waves", "zh": "跨轮次测量不变性检验"},
    "tbl_invariance_group": {"en": "Measurement Invariance Across Groups", "zh": "跨群组测量不变性检验"},
    # community
    "tbl_icc": {"en": "Clustering of the Construct Scores by Community", "zh": "构念得分的社区聚类特征"},
    "tbl_community": {"en": "Construct Means by Community", "zh": "各社区构念得分均值"},
    "fig_community": {"en": "Community Means ({p}% CI)", "zh": "各社区均值（{p}% 置信区间）"},
    "community_twolevel": {
        "en": "Two-level path model of the construct scores ({j} communities, {n} residents; MLR with "
              "community-level robust standard errors): the structural model holds within communities (residents' "
              "perceptions around their community's mean) and between communities (the community means); the table "
              "gives the between-community paths and effects. Model fit: {fit}.",
        "zh": "构念得分的多层（两水平）路径模型（{j} 个社区，{n} 名居民；MLR，社区层稳健标准误）：结构模型同时设定于"
              "社区内（居民感知相对于所在社区均值的差异）与社区间（社区均值）；下表为社区间路径与效应。模型拟合：{fit}。",
    },
    "community_fallback": {
        "en": "Only {j} communities: a two-level model needs about {min} or more for stable between-community "
              "estimates, so community-level effects are not separated from resident-level ones. The structural "
              "paths below are estimated on residents with cluster-robust standard errors (residents clustered in "
              "communities; listwise deletion).",
        "zh": "仅有 {j} 个社区：多层模型约需 {min} 个及以上社区才能稳定估计社区间效应，因此未区分社区层与居民层效应；"
              "下列结构路径以居民为单位估计，并采用社区聚类稳健标准误（成列删除缺失）。",
    },
    "community_failed": {
        "en": "The {j} communities would allow a two-level model, but the two-level path model of the construct "
              "scores could not be estimated on these data (it did not converge or had no standard errors; the "
              "community means of the scores barely differ: largest ICC {icc}). The structural paths below are "
              "estimated on residents with cluster-robust standard errors (residents clustered in communities; "
              "listwise deletion); community-level effects are not separated from resident-level ones.",
        "zh": "{j} 个社区本可支持多层模型，但构念得分的多层路径模型在本数据上无法估计（未收敛或无法得到标准误；各社区得分均值"
              "差异很小，最大 ICC 为 {icc}）。下列结构路径以居民为单位估计，并采用社区聚类稳健标准误（成列删除缺失），"
              "未区分社区层与居民层效应。",
    },
    "tbl_community_model": {"en": "Community-Level Structural Paths (Two-Level Model)",
                            "zh": "社区层面结构路径（多层模型）"},
    "tbl_community_effects": {"en": "Community-Level Indirect and Total Effects (Two-Level Model)",
                              "zh": "社区层面间接效应与总效应（多层模型）"},
    "tbl_community_robust": {"en": "Structural Paths with Cluster-Robust Standard Errors",
                             "zh": "结构路径（社区聚类稳健标准误）"},
    "index_text": {
        "en": "Composite index of {k} indicators ({names}) over {n} communities: min-max normalization, entropy "
              "weights and TOPSIS closeness{waves}; rank 1 is the community closest to the ideal.",
        "zh": "以 {names} 共 {k} 项指标对 {n} 个社区测算综合指数：极差标准化、熵权法赋权、TOPSIS 相对贴近度{waves}；"
              "排名第 1 的社区最接近理想解。",
    },
    "index_waves": {"en": " (all waves normalized together, so scores are comparable across waves)",
                    "zh": "（各轮次数据统一标准化，得分可跨轮次比较）"},
    "fig_index": {"en": "Composite Index Scores of the Communities", "zh": "各社区综合指数得分"},
    "fig_index_trends": {"en": "Composite Index Scores Across Waves", "zh": "各社区综合指数得分的轮次变化"},
    "icc_text": {"en": "ICC(1) ranged from {lo} to {hi} across constructs ({j} communities, mean size "
                       "{size}).",
                 "zh": "各构念 ICC(1) 介于 {lo}～{hi}（{j} 个社区，平均每社区 {size} 人）。"},
    "icc2_negative": {"en": "ICC(2) is negative for {names}: the community means of these constructs differ less "
                            "than chance would make them (ICC(1) at or below 0), so their community means are not "
                            "reliable and should not be compared; a negative ICC(2) is read as 0.",
                      "zh": "{names}的 ICC(2) 为负值：这些构念的社区间差异小于随机误差造成的差异（ICC(1) 不大于 0），"
                            "社区均值不可靠，不宜用于社区间比较；负的 ICC(2) 按 0 解读。"},
    # appendix
    "tbl_instrument_items": {"en": "Items of the Questionnaire", "zh": "问卷题项"},
    "tbl_scale": {"en": "Response Scale", "zh": "作答量表"},
    "sources": {"en": "Sources", "zh": "题项来源文献"},
    "reverse_mark": {"en": "(R) reverse-keyed", "zh": "（R）为反向计分题"},
    # provenance
    "tbl_versions": {"en": "Software Versions", "zh": "软件版本"},
    "tbl_inputs": {"en": "Input Data", "zh": "输入数据"},
    "options": {"en": "Options", "zh": "分析选项"},
    "reproduce": {"en": "The same inputs, options and seed give the same numbers in this report.",
                  "zh": "相同的输入数据、选项和随机种子将得到与本报告相同的结果。"},
    "references": {"en": "References", "zh": "参考文献"},
    "section_failed": {"en": "This section could not be completed: {error}", "zh": "本节未能完成：{error}"},
    "step_failed": {"en": "{what} failed: {error}", "zh": "{what}失败：{error}"},
    "step_skipped": {"en": "{what} was not run: {error}", "zh": "未进行{what}：{error}"},
    "figure_failed": {"en": "The figure could not be drawn: {error}", "zh": "图形未能绘制：{error}"},
}

#: Step names as shown in messages.
STEP_LABELS: dict[str, dict[str, str]] = {
    "sample": {"en": "Sample description", "zh": "样本描述"},
    "items": {"en": "Item analysis", "zh": "项目分析"},
    "reliability": {"en": "Reliability analysis", "zh": "信度分析"},
    "factorability": {"en": "Factorability check", "zh": "因子分析适宜性检验"},
    "parallel": {"en": "Parallel analysis", "zh": "平行分析"},
    "efa": {"en": "Exploratory factor analysis", "zh": "探索性因子分析"},
    "cfa": {"en": "Confirmatory factor analysis", "zh": "验证性因子分析"},
    "common_method": {"en": "Common-method bias checks", "zh": "共同方法偏差检验"},
    "validity": {"en": "Convergent and discriminant validity", "zh": "聚合效度与区分效度分析"},
    "correlations": {"en": "Construct correlations", "zh": "构念相关分析"},
    "sem": {"en": "Structural equation model", "zh": "结构方程模型"},
    "bootstrap": {"en": "Bootstrap", "zh": "Bootstrap 检验"},
    "process": {"en": "PROCESS model", "zh": "PROCESS 模型"},
    "invariance_waves": {"en": "Invariance across waves", "zh": "跨轮次测量不变性检验"},
    "latent_means_waves": {"en": "Latent mean change across waves", "zh": "跨轮次潜均值比较"},
    "trends": {"en": "Wave means", "zh": "各轮次均值比较"},
    "invariance_group": {"en": "Invariance across groups", "zh": "跨群组测量不变性检验"},
    "latent_means_group": {"en": "Latent mean differences across groups", "zh": "跨群组潜均值比较"},
    "icc": {"en": "Intraclass correlations", "zh": "组内相关分析"},
    "community_means": {"en": "Community means", "zh": "社区均值"},
    "community_model": {"en": "Community-level model", "zh": "社区层面模型"},
    "composite_index": {"en": "Composite index", "zh": "综合指数测算"},
}

#: Column heads of the report's own tables (those not built by the standard tables).
HEADERS: dict[str, dict[str, str]] = {
    "severity": {"en": "Severity", "zh": "级别"},
    "check": {"en": "Check", "zh": "检查项"},
    "item": {"en": "Item", "zh": "题项"},
    "count": {"en": "Rows", "zh": "涉及行数"},
    "message": {"en": "Finding", "zh": "说明"},
    "rows_flagged": {"en": "Flagged", "zh": "被标记"},
    "rows_removed": {"en": "Removed", "zh": "已剔除"},
    "action": {"en": "Action", "zh": "处理"},
    "n_missing": {"en": "Missing (n)", "zh": "缺失数"},
    "pct_missing": {"en": "Missing (%)", "zh": "缺失率（%）"},
    "construct": {"en": "Construct", "zh": "构念"},
    "wave": {"en": "Wave", "zh": "轮次"},
    "group": {"en": "Group", "zh": "组别"},
    "factor": {"en": "Factor", "zh": "因子"},
    "community": {"en": "Community", "zh": "社区"},
    "flags": {"en": "Flags", "zh": "标记"},
    "effect_size": {"en": "d", "zh": "d"},
    "text_zh": {"en": "Wording (Chinese)", "zh": "中文表述"},
    "text_en": {"en": "Wording (English)", "zh": "英文表述"},
    "reverse": {"en": "Reverse", "zh": "反向"},
    "source": {"en": "Source", "zh": "来源"},
    "code": {"en": "Code", "zh": "编码"},
    "label_zh": {"en": "Label (Chinese)", "zh": "中文标签"},
    "label_en": {"en": "Label (English)", "zh": "英文标签"},
    "package": {"en": "Package", "zh": "软件包"},
    "version": {"en": "Version", "zh": "版本"},
    "format": {"en": "Format", "zh": "格式"},
    "n_rows": {"en": "Rows", "zh": "行数"},
    "sha256": {"en": "SHA-256", "zh": "SHA-256"},
    "n_clusters": {"en": "Communities", "zh": "社区数"},
    "mean_cluster_size": {"en": "Mean size", "zh": "平均规模"},
    "icc1": {"en": "ICC(1)", "zh": "ICC(1)"},
    "icc2": {"en": "ICC(2)", "zh": "ICC(2)"},
    "rwg_j_median": {"en": "rwg(j) median", "zh": "rwg(j) 中位数"},
    "design_effect": {"en": "Design effect", "zh": "设计效应"},
    "f_stat": {"en": "F", "zh": "F"},
    "alpha_if_deleted": {"en": "α if deleted", "zh": "删除后 α"},
    "r_drop": {"en": "CITC", "zh": "CITC"},
    "removed": {"en": "removed", "zh": "已剔除"},
    **{level: dict(INVARIANCE_LEVELS[level]) for level in ("configural", "metric", "scalar", "strict")},
    "kept": {"en": "kept", "zh": "保留"},
    "error": {"en": "error", "zh": "错误"},
    "warning": {"en": "warning", "zh": "警告"},
    "info": {"en": "info", "zh": "提示"},
}


def tr(key: str, lang: str, **fmt: Any) -> str:
    """The text ``key`` in ``lang`` ("en" or "zh"), formatted with ``fmt``.

    Examples
    --------
    >>> tr("sec_groups", "en", group="gender")
    'Invariance Across Groups (gender)'
    """
    text = TEXT[key][lang]
    return text.format(**fmt) if fmt else text


# Chinese wording of the validation findings, by check (survey/validation.py). ``{what}`` is the item, construct
# or field concerned, ``{count}`` how many rows, ``{rows}`` the first row identifiers.
CHECK_ZH: dict[str, str] = {
    "missing_items": "数据中缺少问卷题项 {what}：请核对导出文件或 columns= 映射。",
    "missing_fields": "数据中缺少必需字段 {what}：请在导出时包含该列或在问卷中调整字段设置。",
    "column_map": "列映射 {what} 无法使用：映射到了未知的题项/字段，或文件中没有该列标题。",
    "duplicate_columns": "多个列映射到同一题项/字段 {what}：请只保留一列。",
    "unmapped_columns": "有未对应问卷的列，已保留在原始数据中，未参与分析。",
    "platform_columns": "问卷平台附加列（序号、提交时间、来源、IP 等）已作为元数据保留。",
    "non_numeric": "{what}：{count} 个回答既不是数字也不是量表选项文字（行：{rows}），已设为缺失；请重新编码或在问卷中补充选项别名。",
    "out_of_range": "{what}：{count} 个回答超出量表范围（行：{rows}），已设为缺失；请核对导出或重新编码。",
    "undeclared_code": "{what}：{count} 个回答为未声明的代码（行：{rows}），已设为缺失；请核对编码。",
    "field_values": "字段 {what}：{count} 个取值无法识别（行：{rows}）；请核对。",
    "duplicate_ids": "受访者编号重复：{count} 个（{rows}）；请核对是否重复提交。",
    "duplicate_rows": "{count} 份问卷的全部回答完全相同（行：{rows}）；请核对是否重复提交。",
    "empty_respondents": "{count} 份问卷没有回答任何题项（行：{rows}）；可考虑剔除。",
    "zero_variance": "题项 {what} 的所有回答相同（零方差），无法用于相关和因子分析。",
    "high_missing": "题项 {what} 的缺失比例较高（{count} 行缺失）；请检查题目或跳转逻辑。",
    "straightlining": "{what}：{count} 名受访者对全部题项给出相同回答（直线作答，行：{rows}）；请检查，必要时剔除。",
    "speeders": "{count} 名受访者答题时间过短（行：{rows}）；请检查其回答质量，必要时剔除。",
    "wave": "调查轮次列 {what} 与指定的轮次不一致（{count} 行：{rows}）。",
    "option_alias": "{what}：{count} 个回答使用了选项的其他写法，已按别名编码（{rows}）；请核对编码是否正确。",
    "missing_text": "{what}：{count} 个回答为表示未作答的文字（如“不知道”“拒绝回答”或平台的“跳过”），已设为缺失（{rows}）。",
    "missing_code": "{what}：{count} 个回答为问卷声明的缺失代码（如 8 = 不知道、9 = 拒绝回答），已设为缺失（{rows}）。",
    "missing_group": "分组变量 {what}：{count} 名受访者缺少取值（{rows}），跨组比较（测量不变性、潜均值）不包括他们。",
}

#: Chinese names of the validation checks (the ``check`` column and the methods text of a Chinese report).
CHECK_NAMES: dict[str, str] = {
    "missing_items": "缺少题项", "missing_fields": "缺少字段", "column_map": "列映射", "duplicate_columns": "重复列",
    "unmapped_columns": "未对应的列", "platform_columns": "平台附加列", "non_numeric": "无法识别的回答",
    "out_of_range": "超出量表范围", "undeclared_code": "未声明的代码", "option_alias": "选项别名编码",
    "missing_text": "缺失文字", "missing_code": "缺失代码", "field_values": "字段取值", "duplicate_ids": "编号重复",
    "duplicate_rows": "重复作答", "empty_respondents": "空白问卷", "zero_variance": "零方差题项",
    "high_missing": "高缺失率题项", "missing_group": "分组缺失", "straightlining": "直线作答",
    "speeders": "作答过快", "wave": "轮次不一致",
}


def check_name(check: Any, lang: str) -> str:
    """A validation check's name in ``lang`` (the check id itself in English).

    Examples
    --------
    >>> check_name("straightlining", "zh"), check_name("speeders", "en")
    ('直线作答', 'speeders')
    """
    return CHECK_NAMES.get(str(check), str(check)) if lang == "zh" else str(check)


#: Names of the analysis options (overview, provenance) in each language.
OPTION_LABELS: dict[str, dict[str, str]] = {
    "estimator": {"en": "estimator", "zh": "估计方法"},
    "missing": {"en": "missing", "zh": "缺失值处理"},
    "bootstrap": {"en": "bootstrap", "zh": "Bootstrap 重抽样次数"},
    "seed": {"en": "seed", "zh": "随机种子"},
    "exclude": {"en": "exclude", "zh": "剔除依据"},
    "keep": {"en": "keep", "zh": "重复问卷保留"},
    "group": {"en": "group", "zh": "分组变量"},
    "cluster": {"en": "cluster", "zh": "聚类变量"},
    "n_jobs": {"en": "n_jobs", "zh": "并行进程数"},
    "parallel_iter": {"en": "parallel_iter", "zh": "平行分析模拟次数"},
    "ci_level": {"en": "ci_level", "zh": "置信水平"},
    "process": {"en": "process", "zh": "PROCESS 模型"},
}

#: Values of the options that are words (missing-data rules), in each language.
_OPTION_VALUES: dict[str, dict[str, str]] = {
    "fiml": {"en": "FIML", "zh": "全信息极大似然（FIML）"},
    "listwise": {"en": "listwise deletion", "zh": "列删除"},
    "pairwise": {"en": "pairwise", "zh": "成对删除"},
    "first": {"en": "first copy", "zh": "保留第一份"},
}


def option_value(value: Any, lang: str) -> Any:
    """An option's value in ``lang`` when it is a word with a translation (``fiml`` -> 全信息极大似然（FIML））.

    Examples
    --------
    >>> option_value("fiml", "zh"), option_value("MLR", "zh")
    ('全信息极大似然（FIML）', 'MLR')
    """
    entry = _OPTION_VALUES.get(str(value).lower()) if isinstance(value, str) else None
    if entry is None:
        return value
    return entry[lang]


#: How row identifiers are named in Chinese: respondent ids or row numbers (SurveyWave.meta["row_labels"]).
_ROWS_ZH = {"id": ("受访者编号", "名受访者"), "row": ("行", "行"), "mixed": ("编号/行", "份问卷")}


def issue_text_zh(check: str, item: Any, count: Any, rows: Any, fallback: str, rows_are: str = "row") -> str:
    """A validation finding in Chinese (the English message when the check has no Chinese wording).

    ``rows_are`` says what the row identifiers are: "id" (respondent ids, named 受访者编号), "row" (row
    numbers, named 行) or "mixed".

    Examples
    --------
    >>> issue_text_zh("speeders", "duration", 2, ["R1", "R2"], "", rows_are="id")
    '2 名受访者答题时间过短（受访者编号：R1, R2）；请检查其回答质量，必要时剔除。'
    >>> issue_text_zh("out_of_range", "pb1", 1, [7], "")
    'pb1：1 个回答超出量表范围（行：7），已设为缺失；请核对导出或重新编码。'
    """
    template = CHECK_ZH.get(str(check))
    if template is None:
        return fallback
    what = "问卷整体" if item is None or (isinstance(item, float) and item != item) else str(item)
    listed = list(rows) if isinstance(rows, (list, tuple)) else []
    word, counted = _ROWS_ZH.get(str(rows_are), _ROWS_ZH["row"])
    shown = ", ".join(str(r) for r in listed[:10]) + (f" 等 {len(listed)} {counted}" if len(listed) > 10 else "")
    text = template.format(what=what, count="" if count is None else count, rows=shown or "—")
    if listed:
        text = text.replace(f"行：{shown}", f"{word}：{shown}").replace(f"（{shown}）", f"（{word}：{shown}）")
    return text
