"""Normal-theory maximum likelihood discrepancy for complete data.

For one group with N cases, sample mean ``xbar`` and covariance ``S`` (divided by N)::

    F = 0.5 * [log|Sigma| + tr(S Sigma^-1) - log|S| - p + (xbar - mu)' Sigma^-1 (xbar - mu)]

(lavaan's ``fmin``; chisq = 2 N F). The functions return the value, the derivatives of F with respect to Sigma and
mu (as full matrices, the caller contracts them with the model Jacobian) and the unit expected information.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ml_value", "ml_derivatives", "ml_expected_information", "ml_casewise_scores", "ml_loglik"]

LOG2PI = np.log(2.0 * np.pi)


def _chol_inv(sigma: np.ndarray) -> tuple[np.ndarray, float] | tuple[None, None]:
    try:
        L = np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        return None, None
    Linv = np.linalg.inv(L)
    return Linv.T @ Linv, 2.0 * np.log(np.diag(L)).sum()


def ml_value(sigma, mu, S, xbar, logdet_S, meanstructure: bool) -> float:
    """ML discrepancy F of one group (``inf`` when Sigma is not positive definite).

    Examples
    --------
    >>> S = np.array([[2.0, 0.5], [0.5, 1.0]])
    >>> float(ml_value(S, np.zeros(2), S, np.zeros(2), np.linalg.slogdet(S)[1], False))
    0.0
    """
    Si, logdet = _chol_inv(sigma)
    if Si is None:
        return np.inf
    p = S.shape[0]
    f = logdet + np.sum(S * Si) - logdet_S - p
    if meanstructure:
        d = xbar - mu
        f += d @ Si @ d
    return 0.5 * f


def ml_derivatives(sigma, mu, S, xbar, meanstructure: bool):
    """Derivatives of F with respect to Sigma (p x p) and mu (p), and Sigma^-1."""
    Si, _ = _chol_inv(sigma)
    if Si is None:
        Si = np.linalg.pinv(sigma)
    Seff = S
    dmu = None
    if meanstructure:
        d = xbar - mu
        Seff = S + np.outer(d, d)
        dmu = -(Si @ d)
    dsig = 0.5 * (Si - Si @ Seff @ Si)
    return dsig, dmu, Si


def ml_expected_information(Si, dsigma, dmu, meanstructure: bool) -> np.ndarray:
    """Unit (per case) expected information of the free parameters.

    ``0.5 tr(Si dS_k Si dS_l) + dmu_k' Si dmu_l``.
    """
    q = dsigma.shape[0]
    X = Si @ dsigma @ Si  # (q, p, p)
    H = 0.5 * X.reshape(q, -1) @ dsigma.reshape(q, -1).T
    if meanstructure:
        H = H + dmu @ Si @ dmu.T
    return (H + H.T) / 2


def ml_casewise_scores(Y, sigma, mu, Si, dsigma, dmu, meanstructure: bool) -> np.ndarray:
    """Casewise scores (derivatives of each case's log-likelihood) with respect to the free parameters.

    Returns an array of shape (N, q).
    """
    Z = Y - mu  # (N, p)
    W = Z @ Si  # rows: Si z_i
    q = dsigma.shape[0]
    # d l_i / d Sigma = 0.5 (Si z z' Si - Si)  -> contract with dsigma
    Dflat = dsigma.reshape(q, -1)
    # sum_ab (W_a W_b) D_kab  = W D_k W'
    quad = np.einsum("ia,kab,ib->ik", W, dsigma, W, optimize=True)
    const = (Si.reshape(-1) @ Dflat.T)  # tr(Si D_k)
    scores = 0.5 * (quad - const[None, :])
    if meanstructure:
        scores = scores + W @ dmu.T
    return scores


def ml_loglik(sigma, mu, S, xbar, n, meanstructure: bool = True) -> float:
    """Normal log-likelihood of a complete-data group at (mu, Sigma).

    Without a mean structure the sample mean is used for mu (the mean part is saturated).
    """
    Si, logdet = _chol_inv(sigma)
    if Si is None:
        return -np.inf
    p = S.shape[0]
    val = p * LOG2PI + logdet + np.sum(S * Si)
    if meanstructure:
        d = xbar - mu
        val += d @ Si @ d
    return -0.5 * n * val
