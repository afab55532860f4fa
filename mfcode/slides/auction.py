"""A repeated second-price ad auction with budgets, as a stationary MFG (after the slides' Taobao example).

Slides seed ``004_ae508d4ce3677c60.txt``, "Motivation: A Sequential Auction Game": in each round a
web user requests a page and a Vickrey-type second-price auction allocates the ad slot among a large
population of advertisers. The slides give no model; this one is ours, small enough for exact
equilibria (:func:`mfcode.mfg.solvers.solve_equilibrium`) and for the slides' learning algorithms:

- state :math:`(b,k)`: remaining budget :math:`b\\in\\{0..B-1\\}` and the bid level :math:`k\\in\\{0..K-1\\}`
  committed for this round (bid value :math:`\\beta_k`, :math:`\\beta_0=0`: no bid); the state index is
  :math:`bK+k`;
- action :math:`a`: the bid level for the next round;
- each round a bidder with budget meets ``n_opponents`` opponents whose bids are i.i.d. from the
  population's effective bid law :math:`\\nu(k)=\\sum_{b\\ge1}\\mu(b,k)` (:math:`k\\ge1`; no budget means
  no bid), ties split evenly; the winner gets the click value :math:`v` and pays the highest opposing
  bid (0 if none): :math:`r=v\\Pr(\\mathrm{win})-\\mathbb E[\\mathrm{price};\\mathrm{win}]`;
- a win spends one budget unit; an empty budget is refilled to :math:`B-1` with probability ``refill``.

The bids of the others enter through the state marginal :math:`\\mu` only, so the game is a
:class:`~mfcode.mfg.stationary.StationaryMFG` of the MFG core.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mfcode.arrays import FloatArray
from mfcode.mfg.stationary import StationaryMFG
from mfcode.validation import check_int, check_real

__all__ = ["AuctionParameters", "ad_auction"]


@dataclass(frozen=True)
class AuctionParameters:
    """The auction's open choices (the slides give no numbers).

    Parameters
    ----------
    budget_levels
        :math:`B`.
    bid_values
        :math:`(\\beta_0=0,\\beta_1,\\dots)`, increasing.
    click_value
        :math:`v`.
    n_opponents
        Bidders met per round (the competition's strength).
    refill
        Probability that an empty budget is refilled.
    """

    budget_levels: int = 3
    bid_values: tuple[float, ...] = (0.0, 0.4, 0.8, 1.2)
    click_value: float = 1.0
    n_opponents: int = 3
    refill: float = 0.3

    def __post_init__(self) -> None:
        check_int(self.budget_levels, "budget_levels", low=2)
        if not isinstance(self.bid_values, tuple) or len(self.bid_values) < 2 or self.bid_values[0] != 0.0:
            raise ValueError("bid_values must be a tuple of at least two values starting at 0")
        if np.any(np.diff(np.asarray(self.bid_values, dtype=np.float64)) <= 0):
            raise ValueError("bid_values must be increasing")
        check_real(self.click_value, "click_value", low=0.0, low_open=True)
        check_int(self.n_opponents, "n_opponents", low=1)
        check_real(self.refill, "refill", low=0.0, high=1.0, low_open=True)

    @property
    def n_bids(self) -> int:
        """:math:`K`."""
        return len(self.bid_values)

    def bid_law(self, mu: FloatArray) -> FloatArray:
        """:math:`\\nu`, the law of an opponent's bid level (level 0: no bid or no budget)."""
        k = self.n_bids
        grid = mu.reshape(self.budget_levels, k)
        nu = grid[1:].sum(axis=0)
        nu[0] += grid[0].sum()
        out: FloatArray = np.clip(nu, 0.0, None) / nu.sum()
        return out

    def win_and_payment(self, mu: FloatArray) -> tuple[FloatArray, FloatArray]:
        """:math:`\\Pr(\\mathrm{win}|k)` and :math:`\\mathbb E[\\mathrm{price};\\mathrm{win}|k]` per bid level ``(K,)``.

        With :math:`F` the CDF of :math:`\\nu` and :math:`n` opponents, ties split evenly:
        :math:`\\Pr(\\mathrm{win}|k)=\\frac1{n+1}\\sum_{j=0}^nF(k)^jF(k-1)^{n-j}` (level 0 never wins);
        the price is :math:`\\beta_j` when the highest opposing bid is :math:`j<k`, :math:`\\beta_k` on a tie.
        """
        n = self.n_opponents
        beta = np.asarray(self.bid_values, dtype=np.float64)
        cdf = np.cumsum(self.bid_law(mu))
        below = np.concatenate([[0.0], cdf[:-1]])
        j = np.arange(n + 1)
        win = (cdf[:, None] ** j * below[:, None] ** (n - j)).sum(axis=1) / (n + 1)
        win[0] = 0.0
        p_max = cdf**n - below**n  # Pr(highest opposing level = j)
        pay_below = np.concatenate([[0.0], np.cumsum(beta * p_max)[:-1]])  # sum_{j<k} beta_j Pr(max = j)
        tie = win - below**n
        pay = pay_below + beta * tie
        pay[0] = 0.0
        return win, pay

    def reward(self, mu: FloatArray) -> FloatArray:
        """:math:`r((b,k),a,\\mu)=\\mathbb 1\\{b\\ge1\\}(v\\Pr(\\mathrm{win}|k)-\\mathbb E[\\mathrm{price};\\mathrm{win}|k])`, ``(S, A)``."""
        win, pay = self.win_and_payment(mu)
        per_state = np.zeros((self.budget_levels, self.n_bids))
        per_state[1:] = self.click_value * win - pay
        return np.repeat(per_state.reshape(-1, 1), self.n_bids, axis=1)

    def transition(self, mu: FloatArray) -> FloatArray:
        """:math:`P((b',a)|(b,k),a,\\mu)`: the budget drops by one on a win, refills from 0; the next bid is the action."""
        big_b, k = self.budget_levels, self.n_bids
        win, _ = self.win_and_payment(mu)
        budget = np.zeros((big_b, k, big_b))  # (b, k) -> b'
        for b in range(1, big_b):
            budget[b, :, b - 1] = win
            budget[b, :, b] = 1.0 - win
        budget[0, :, big_b - 1] = self.refill
        budget[0, :, 0] = 1.0 - self.refill
        p = np.zeros((big_b, k, k, big_b, k))  # (b, k, a, b', k')
        idx = np.arange(k)
        p[:, :, idx, :, idx] = budget[None].repeat(k, axis=0)
        return p.reshape(big_b * k, k, big_b * k)


def ad_auction(*, gamma: float = 0.9, parameters: AuctionParameters | None = None) -> StationaryMFG:
    """The auction MFG, started with full budgets and uniform bids (``gamma`` is our choice)."""
    par = AuctionParameters() if parameters is None else parameters
    big_b, k = par.budget_levels, par.n_bids
    initial = np.zeros((big_b, k))
    initial[-1] = 1.0 / k
    return StationaryMFG(
        n_states=big_b * k,
        n_actions=k,
        reward_fn=par.reward,
        transition_fn=par.transition,
        gamma=gamma,
        initial=initial.reshape(-1),
        state_names=tuple(f"b{b}k{j}" for b in range(big_b) for j in range(k)),
        action_names=tuple(f"bid{v:g}" for v in par.bid_values),
        name="ad auction",
    )
