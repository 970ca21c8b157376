"""Fixed wording of the report in English and Chinese (headings, labels, sentence templates)."""

from __future__ import annotations

from typing import Any

__all__ = ["CHECK_ZH", "TEXT", "issue_text_zh", "tr"]

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
    "missing_text": {"en": "Item missingness ranged from {lo:.1f}% to {hi:.1f}% (mean {mean:.1f}%).",
                     "zh": "各题项缺失率为 {lo:.1f}%～{hi:.1f}%（平均 {mean:.1f}%）。"},
    "fig_likert": {"en": "Distribution of Answers by Item", "zh": "各题项作答分布"},
    # items
    "tbl_items": {"en": "Item Statistics", "zh": "题项描述统计与项目分析"},
    "items_flags": {"en": "Items flagged: {flags}.", "zh": "需关注的题项：{flags}。"},
    "items_no_flags": {"en": "No item has a weak corrected item-total correlation (< .30).",
                       "zh": "所有题项的校正项总相关均不低于 0.30。"},
    "flag_weak": {"en": "weak item-total correlation", "zh": "项总相关偏低"},
    "flag_floor": {"en": "floor effect", "zh": "地板效应"},
    "flag_ceiling": {"en": "ceiling effect", "zh": "天花板效应"},
    # reliability
    "fig_scores": {"en": "Distributions of the Construct Scores", "zh": "各构念得分分布"},
    "reliability_text": {"en": "Cronbach's alpha ranged from {lo:.2f} to {hi:.2f}.",
                         "zh": "各构念 Cronbach's α 系数介于 {lo:.2f}～{hi:.2f}。"},
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
    "fit_text": {"en": "{what}: χ²({df:.0f}) = {chisq:.2f}, CFI = {cfi:.3f}, TLI = {tli:.3f}, RMSEA = {rmsea:.3f}, "
                       "SRMR = {srmr:.3f}.",
                 "zh": "{what}：χ²({df:.0f}) = {chisq:.2f}，CFI = {cfi:.3f}，TLI = {tli:.3f}，RMSEA = {rmsea:.3f}，"
                       "SRMR = {srmr:.3f}。"},
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
    # waves / groups
    "tbl_wave_means": {"en": "Construct Means by Wave", "zh": "各轮次构念得分均值"},
    "fig_trends": {"en": "Construct Means by Wave (95% CI)", "zh": "各轮次构念均值（95% 置信区间）"},
    "tbl_latent_means": {"en": "Latent Mean Differences", "zh": "潜均值差异"},
    "fig_invariance": {"en": "Fit Across the Invariance Steps", "zh": "测量不变性各步骤拟合指数"},
    "fig_latent_means": {"en": "Latent Mean Differences from the Reference Group",
                         "zh": "相对参照组的潜均值差异"},
    "scalar_not_held": {"en": "Scalar invariance was not supported, so the latent mean differences below are not "
                               "comparable and should not be interpreted as change.",
                        "zh": "强（标量）不变性未得到支持，下列潜均值差异不具可比性，不宜解释为变化。"},
    "tbl_invariance_waves": {"en": "Measurement Invariance Across Waves", "zh": "跨轮次测量不变性检验"},
    "tbl_invariance_group": {"en": "Measurement Invariance Across Groups", "zh": "跨群组测量不变性检验"},
    # community
    "tbl_icc": {"en": "Clustering of the Construct Scores by Community", "zh": "构念得分的社区聚类特征"},
    "tbl_community": {"en": "Construct Means by Community", "zh": "各社区构念得分均值"},
    "fig_community": {"en": "Community Means (95% CI)", "zh": "各社区均值（95% 置信区间）"},
    "icc_text": {"en": "ICC(1) ranged from {lo:.3f} to {hi:.3f} across constructs ({j} communities, mean size "
                       "{size:.1f}).",
                 "zh": "各构念 ICC(1) 介于 {lo:.3f}～{hi:.3f}（{j} 个社区，平均每社区 {size:.1f} 人）。"},
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
    "validity": {"en": "Convergent and discriminant validity", "zh": "聚合效度与区分效度分析"},
    "correlations": {"en": "Construct correlations", "zh": "构念相关分析"},
    "sem": {"en": "Structural equation model", "zh": "结构方程模型"},
    "bootstrap": {"en": "Bootstrap", "zh": "Bootstrap 检验"},
    "invariance_waves": {"en": "Invariance across waves", "zh": "跨轮次测量不变性检验"},
    "latent_means_waves": {"en": "Latent mean change across waves", "zh": "跨轮次潜均值比较"},
    "trends": {"en": "Wave means", "zh": "各轮次均值比较"},
    "invariance_group": {"en": "Invariance across groups", "zh": "跨群组测量不变性检验"},
    "latent_means_group": {"en": "Latent mean differences across groups", "zh": "跨群组潜均值比较"},
    "icc": {"en": "Intraclass correlations", "zh": "组内相关分析"},
    "community_means": {"en": "Community means", "zh": "社区均值"},
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
    "configural": {"en": "Configural", "zh": "形态等值"},
    "metric": {"en": "Metric", "zh": "弱等值（载荷）"},
    "scalar": {"en": "Scalar", "zh": "强等值（截距）"},
    "strict": {"en": "Strict", "zh": "严格等值（残差）"},
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
}


def issue_text_zh(check: str, item: Any, count: Any, rows: Any, fallback: str) -> str:
    """A validation finding in Chinese (the English message when the check has no Chinese wording).

    Examples
    --------
    >>> issue_text_zh("speeders", "duration", 2, ["R1", "R2"], "")
    '2 名受访者答题时间过短（行：R1, R2）；请检查其回答质量，必要时剔除。'
    """
    template = CHECK_ZH.get(str(check))
    if template is None:
        return fallback
    what = "问卷整体" if item is None or (isinstance(item, float) and item != item) else str(item)
    listed = list(rows) if isinstance(rows, (list, tuple)) else []
    shown = ", ".join(str(r) for r in listed[:10]) + (f" 等 {len(listed)} 行" if len(listed) > 10 else "")
    return template.format(what=what, count="" if count is None else count, rows=shown or "—")
