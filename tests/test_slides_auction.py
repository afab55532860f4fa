"""The ad-auction MFG: win probabilities and payments against a Monte Carlo auction."""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.slides.auction import AuctionParameters, ad_auction


def _monte_carlo(par: AuctionParameters, nu: np.ndarray, k: int, n: int, rng: np.random.Generator) -> tuple[float, float]:
    beta = np.asarray(par.bid_values)
    others = rng.choice(nu.size, size=(n, par.n_opponents), p=nu)
    top = others.max(axis=1)
    ties = (others == k).sum(axis=1)
    win = np.where(top < k, 1.0, np.where(top == k, 1.0 / (1 + ties), 0.0))
    price = np.where(top < k, beta[top], beta[k])
    return float(win.mean()), float((win * price).mean())


def test_win_probability_and_payment_match_simulated_auctions() -> None:
    par = AuctionParameters()
    rng = np.random.default_rng(1)
    mu = rng.dirichlet(np.ones(par.budget_levels * par.n_bids))
    nu = par.bid_law(mu)
    win, pay = par.win_and_payment(mu)
    for k in range(1, par.n_bids):
        w, p = _monte_carlo(par, nu, k, 400_000, rng)
        assert win[k] == pytest.approx(w, abs=4e-3)
        assert pay[k] == pytest.approx(p, abs=4e-3)
    assert win[0] == 0.0 and pay[0] == 0.0


def test_no_competition_means_free_wins() -> None:
    par = AuctionParameters()
    mu = np.zeros(par.budget_levels * par.n_bids)
    mu[0] = 1.0  # everyone out of budget
    win, pay = par.win_and_payment(mu)
    np.testing.assert_allclose(win[1:], 1.0)
    np.testing.assert_allclose(pay, 0.0)


def test_game_kernel_and_reward() -> None:
    g = ad_auction()
    mu = g.initial
    p = g.transition(mu)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    k = g.n_actions
    # from (b=2, k=3) with action a the next bid is a and the budget drops on a win
    win, _ = AuctionParameters().win_and_payment(mu)  # the game's defaults
    s = 2 * k + 3
    for a in range(k):
        assert p[s, a, 1 * k + a] == pytest.approx(win[3])
        assert p[s, a, 2 * k + a] == pytest.approx(1 - win[3])
    r = g.reward(mu)
    assert np.all(r[:k] == 0.0)  # no budget, no reward


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"budget_levels": 1}, "budget_levels"), ({"bid_values": (0.1, 0.5)}, "bid_values"),
     ({"bid_values": (0.0, 0.5, 0.4)}, "bid_values"), ({"refill": 0.0}, "refill")],
)
def test_bad_parameters(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        AuctionParameters(**kwargs)  # type: ignore[arg-type]
