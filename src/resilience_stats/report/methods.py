"""The methods paragraph: written from what was actually run (steps that succeeded, options, versions)."""

from __future__ import annotations

from typing import Any

from .text import check_name

__all__ = ["REFERENCES", "methods_paragraphs"]

#: Reference entries (APA 7) cited by the methods paragraph, keyed by citation key.
REFERENCES: dict[str, str] = {
    "rosseel2012": "Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of "
                   "Statistical Software, 48(2), 1-36. https://doi.org/10.18637/jss.v048.i02",
    "revelle": "Revelle, W. (2022). psych: Procedures for psychological, psychometric, and personality research "
               "(R package version 2.2.9). Northwestern University.",
    "cronbach1951": "Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. "
                    "Psychometrika, 16(3), 297-334. https://doi.org/10.1007/BF02310555",
    "mcdonald1999": "McDonald, R. P. (1999). Test theory: A unified treatment. Lawrence Erlbaum.",
    "kaiser1974": "Kaiser, H. F. (1974). An index of factorial simplicity. Psychometrika, 39(1), 31-36. "
                  "https://doi.org/10.1007/BF02291575",
    "horn1965": "Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis. "
                "Psychometrika, 30(2), 179-185. https://doi.org/10.1007/BF02289447",
    "fornell1981": "Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with unobservable "
                   "variables and measurement error. Journal of Marketing Research, 18(1), 39-50. "
                   "https://doi.org/10.1177/002224378101800104",
    "henseler2015": "Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing "
                    "discriminant validity in variance-based structural equation modeling. Journal of the Academy "
                    "of Marketing Science, 43(1), 115-135. https://doi.org/10.1007/s11747-014-0403-8",
    "yuan2000": "Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-based methods for mean and covariance "
                "structure analysis with nonnormal missing data. Sociological Methodology, 30(1), 165-200. "
                "https://doi.org/10.1111/0081-1750.00078",
    "enders2001": "Enders, C. K., & Bandalos, D. L. (2001). The relative performance of full information maximum "
                  "likelihood estimation for missing data in structural equation models. Structural Equation "
                  "Modeling, 8(3), 430-457. https://doi.org/10.1207/S15328007SEM0803_5",
    "hu1999": "Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure analysis: "
              "Conventional criteria versus new alternatives. Structural Equation Modeling, 6(1), 1-55. "
              "https://doi.org/10.1080/10705519909540118",
    "preacher2008": "Preacher, K. J., & Hayes, A. F. (2008). Asymptotic and resampling strategies for assessing "
                    "and comparing indirect effects in multiple mediator models. Behavior Research Methods, 40(3), "
                    "879-891. https://doi.org/10.3758/BRM.40.3.879",
    "cheung2002": "Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing "
                  "measurement invariance. Structural Equation Modeling, 9(2), 233-255. "
                  "https://doi.org/10.1207/S15328007SEM0902_5",
    "chen2007": "Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement invariance. "
                "Structural Equation Modeling, 14(3), 464-504. https://doi.org/10.1080/10705510701301834",
    "hayes2022": "Hayes, A. F. (2022). Introduction to mediation, moderation, and conditional process analysis: "
                 "A regression-based approach (3rd ed.). Guilford Press.",
    "bliese2000": "Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability: Implications "
                  "for data aggregation and analysis. In K. J. Klein & S. W. J. Kozlowski (Eds.), Multilevel "
                  "theory, research, and methods in organizations (pp. 349-381). Jossey-Bass.",
}


def _p(value: float) -> str:
    return "< .001" if value < 0.001 else f"= {value:.3f}".replace("0.", ".", 1)


def methods_paragraphs(a: Any, lang: str) -> tuple[list[str], list[str]]:
    """Paragraphs describing what was run, and the reference entries they cite.

    Parameters
    ----------
    a : Analysis
        The results bundle of :func:`resilience_stats.workflow.analyze`.
    lang : {"en", "zh"}

    Returns
    -------
    (list of str, list of str)
        The paragraphs (only analyses that ran are described) and the references cited, sorted.

    Examples
    --------
    >>> paras, refs = methods_paragraphs(analysis, "en")  # doctest: +SKIP
    """
    zh = lang == "zh"
    cited: set[str] = set()
    opts = a.options
    v = a.versions
    ok = {name for name, s in a.steps.items() if s.ok}
    n = len(a.wave.data)
    paras: list[str] = []

    # data
    waves = ", ".join(str(x) for x in a.wave_labels) or "1"
    removed = a.exclusions[a.exclusions["action"] == "removed"] if not a.exclusions.empty else a.exclusions
    kept = a.exclusions[a.exclusions["action"] == "kept"] if not a.exclusions.empty else a.exclusions
    if zh:
        s = f"本研究使用 {a.instrument.title('zh')}（{a.instrument.id}，版本 {a.instrument.version}）收集数据，"
        s += f"共 {len(a.wave_labels) or 1} 轮调查（轮次：{waves}），分析样本 N = {n}。"
        if len(removed):
            s += "按数据检验结果剔除了" + "、".join(
                f"被标记为“{check_name(r.check, 'zh')}”的 {r.rows_removed} 份问卷" for r in removed.itertuples()) + "。"
        if len(kept):
            s += "被标记为" + "、".join(f"“{check_name(r.check, 'zh')}”（{r.rows_flagged} 份）"
                                    for r in kept.itertuples()) + "的问卷予以保留。"
        s += "缺失代码和超出量表范围的取值在分析前设为缺失值，反向计分题已反向编码。"
    else:
        s = (f"Data were collected with the {a.instrument.title('en')} ({a.instrument.id}, version "
             f"{a.instrument.version}) in {len(a.wave_labels) or 1} wave(s) (waves {waves}); the analysed sample "
             f"comprised N = {n} respondents. ")
        if len(removed):
            s += "Respondents flagged by the " + ", ".join(
                f"{r.check} check ({r.rows_removed})" for r in removed.itertuples()) + " were removed. "
        if len(kept):
            s += "Respondents flagged by the " + ", ".join(
                f"{r.check} check ({r.rows_flagged})" for r in kept.itertuples()) + " were kept. "
        s += ("Missing-value codes and out-of-range answers were set to missing, and reverse-keyed items were "
              "recoded before the analyses.")
    paras.append(s)

    # psychometrics
    parts = []
    if "reliability" in ok:
        cited |= {"cronbach1951", "mcdonald1999"}
        parts.append("采用 Cronbach's α 系数（Cronbach, 1951）和 McDonald's ω 系数（McDonald, 1999）评估内部一致性信度"
                     if zh else "Internal consistency was assessed with Cronbach's alpha (Cronbach, 1951) and "
                     "McDonald's omega total (McDonald, 1999)")
    if "factorability" in ok:
        cited.add("kaiser1974")
        parts.append("以 KMO 和 Bartlett 球形检验判断因子分析适宜性（Kaiser, 1974）" if zh else
                     "factorability was checked with the KMO measure and Bartlett's test of sphericity (Kaiser, 1974)")
    if "parallel" in ok:
        cited.add("horn1965")
        k = opts["parallel_iter"]
        parts.append(f"以平行分析（{k} 次模拟，Horn, 1965）确定因子数" if zh else
                     f"the number of factors was examined by parallel analysis with {k} simulated data sets "
                     "(Horn, 1965)")
    if "efa" in ok:
        e = a.value("efa")
        parts.append(f"探索性因子分析采用 {e.method} 提取和 {e.rotation} 旋转" if zh else
                     f"an exploratory factor analysis used {e.method} extraction with {e.rotation} rotation")
    if parts:
        cited.add("revelle")
        if zh:
            paras.append("；".join(parts) + "。信度与探索性因子分析的计算与 R 语言 psych 包一致（Revelle, 2022）。")
        else:
            text = "; ".join(parts)
            paras.append(text[0].upper() + text[1:] + ". These computations reproduce R's psych package "
                         "(Revelle, 2022).")

    # CFA / SEM
    est = opts["estimator"]
    if "cfa" in ok or "sem" in ok:
        cited |= {"rosseel2012", "hu1999"}
        if est == "MLR":
            cited.add("yuan2000")
        miss_fiml = opts.get("missing") == "fiml" and est in ("ML", "MLR")
        if miss_fiml:
            cited.add("enders2001")
        est_en = {"MLR": "robust maximum likelihood (MLR: Huber-White standard errors and the Yuan-Bentler scaled "
                         "test statistic; Yuan & Bentler, 2000)",
                  "ML": "maximum likelihood",
                  "WLSMV": "diagonally weighted least squares with mean- and variance-adjusted test statistic "
                           "(WLSMV) on polychoric correlations",
                  "ULSMV": "unweighted least squares with mean- and variance-adjusted test statistic (ULSMV) on "
                           "polychoric correlations"}.get(est, est)
        est_zh = {"MLR": "稳健极大似然估计（MLR：Huber-White 稳健标准误与 Yuan-Bentler 校正卡方；Yuan & Bentler, 2000）",
                  "ML": "极大似然估计",
                  "WLSMV": "基于多分格相关的均值方差校正加权最小二乘估计（WLSMV）",
                  "ULSMV": "基于多分格相关的均值方差校正未加权最小二乘估计（ULSMV）"}.get(est, est)
        model = a.model_name or ("用户指定模型" if zh else "a user-supplied model")
        if zh:
            s = f"测量模型采用验证性因子分析检验，结构模型（{model}）采用结构方程模型检验，估计方法为{est_zh}"
            s += "，缺失值采用全信息极大似然法（FIML；Enders & Bandalos, 2001）处理。" if miss_fiml else "，缺失值采用列删除法处理。"
            s += "模型拟合以 χ²、CFI、TLI、RMSEA 和 SRMR 评价（Hu & Bentler, 1999）。"
        else:
            s = (f"The measurement model was tested by confirmatory factor analysis and the structural model "
                 f"({model}) by structural equation modelling, estimated with {est_en}")
            s += (", with full-information maximum likelihood for missing data (FIML; Enders & Bandalos, 2001). "
                  if miss_fiml else ", with listwise deletion of incomplete cases. ")
            s += "Model fit was judged by the chi-square test, CFI, TLI, RMSEA and SRMR (Hu & Bentler, 1999)."
        if "validity" in ok:
            cited |= {"fornell1981", "henseler2015"}
            s += ("以组合信度（CR）、平均方差抽取量（AVE）、Fornell-Larcker 准则（Fornell & Larcker, 1981）及 HTMT "
                  "（Henseler et al., 2015）评估聚合效度与区分效度。" if zh else
                  " Convergent and discriminant validity were assessed with composite reliability, the average "
                  "variance extracted, the Fornell-Larcker criterion (Fornell & Larcker, 1981) and the HTMT ratio "
                  "(Henseler et al., 2015).")
        if "bootstrap" in ok:
            cited.add("preacher2008")
            b = a.value("bootstrap")
            level = round(opts["ci_level"] * 100)
            s += (f"中介效应采用非参数百分位 Bootstrap 法检验（{b.n} 次重抽样，其中 {b.n_ok} 次收敛，随机种子 {opts['seed']}），"
                  f"以 {level}% 置信区间不包含 0 判定显著（Preacher & Hayes, 2008）。" if zh else
                  f" Indirect effects were tested with {level}% percentile bootstrap confidence intervals from "
                  f"{b.n:,} resamples ({b.n_ok:,} converged; seed {opts['seed']}; Preacher & Hayes, 2008).")
        elif "sem" in ok:
            s += ("间接效应的置信区间采用 Delta 法计算。" if zh else
                  " Confidence intervals of the indirect effects were computed with the delta method.")
        paras.append(s)

    # PROCESS hypothesis tests
    if "process" in ok:
        cited.add("hayes2022")
        r = a.value("process")
        hc = f"（{r.hc} 稳健标准误）" if zh and r.hc else f" ({r.hc} standard errors)" if r.hc else ""
        boot_zh = f"间接效应以 {r.boot} 次百分位 Bootstrap 置信区间检验。" if r.boot and r.spec.is_mediation else ""
        boot_en = (f" Indirect effects were tested with percentile bootstrap intervals from {r.boot:,} resamples."
                   if r.boot and r.spec.is_mediation else "")
        paras.append(f"研究假设以 PROCESS 模型 {r.model}（Hayes, 2022）检验：以构念得分为观测变量进行 OLS 回归{hc}，"
                     f"调节效应以简单斜率与 Johnson-Neyman 法分析。{boot_zh}" if zh else
                     f"The hypotheses were tested with PROCESS model {r.model} (Hayes, 2022): OLS regressions on the "
                     f"construct scores{hc}, with moderation probed by simple slopes and the Johnson-Neyman "
                     f"technique.{boot_en}")

    # invariance
    inv = [k for k in ("invariance_waves", "invariance_group") if k in ok]
    if inv:
        cited |= {"cheung2002", "chen2007"}
        what_zh = "、".join({"invariance_waves": "调查轮次", "invariance_group": f"{opts['group']} 组别"}[k] for k in inv)
        what_en = " and ".join({"invariance_waves": "waves", "invariance_group": f"{opts['group']} groups"}[k]
                               for k in inv)
        paras.append(
            f"跨{what_zh}的测量不变性依次检验形态等同、弱等同（因子载荷等同）和强等同（截距等同），以 ΔCFI ≤ .01 和 ΔRMSEA ≤ .015 为判定标准"
            "（Cheung & Rensvold, 2002; Chen, 2007）。" if zh else
            f"Measurement invariance across {what_en} was tested as a sequence of configural, metric (loadings) and "
            "scalar (intercepts) models, judged by ΔCFI ≤ .01 and ΔRMSEA ≤ .015 (Cheung & Rensvold, 2002; "
            "Chen, 2007).")
    if "trends" in ok:
        paras.append("各轮次构念得分均值以单因素方差分析比较。" if zh else
                     "Construct score means were compared across waves with one-way ANOVA.")

    # clustering
    if "icc" in ok:
        cited.add("bliese2000")
        paras.append("以 ICC(1)、ICC(2)、rwg(j) 及设计效应描述社区层面的聚类特征（Bliese, 2000）。" if zh else
                     "Clustering of respondents within communities was described by ICC(1), ICC(2), rwg(j) and the "
                     "design effect (Bliese, 2000).")

    # software
    soft = (f"resilience_stats {v.get('resilience_stats')} (Python {v.get('python')}; numpy {v.get('numpy')}, "
            f"pandas {v.get('pandas')}, scipy {v.get('scipy')})")
    cited.add("rosseel2012")
    paras.append(
        f"全部分析使用 {soft} 完成，其 CFA/SEM 结果与 R 语言 lavaan 包（Rosseel, 2012）一致。" if zh else
        f"All analyses were run in {soft}, whose CFA/SEM estimates agree with R's lavaan (Rosseel, 2012).")
    return paras, sorted(REFERENCES[k] for k in cited)
