import { TARIFF_TIERS, type TariffConfig, type TariffTier } from '../config.js';
import { parseTimeOfDay } from '../../school/time.js';

/**
 * Time-of-use (峰谷) pricing. A period with `months` applies only in those months
 * and wins over a period without; time no period covers is "flat". Costs are
 * computed per hour: an hour that straddles a tier boundary is split by minutes
 * (energy assumed even within the hour).
 */
export class Tariff {
  private readonly cache = new Map<number, Array<[TariffTier, number]>>();

  constructor(readonly config: TariffConfig) {}

  price(tier: TariffTier): number {
    return tier === 'sharp' ? (this.config.prices.sharp ?? this.config.prices.peak) : this.config.prices[tier];
  }

  tierAt(month: number, minuteOfDay: number): TariffTier {
    let general: TariffTier | null = null;
    for (const p of this.config.periods) {
      if (parseTimeOfDay(p.from) <= minuteOfDay && minuteOfDay < parseTimeOfDay(p.until)) {
        if (p.months) {
          if (p.months.includes(month)) return p.tier;
        } else general ??= p.tier;
      }
    }
    return general ?? 'flat';
  }

  /** Share of each tier within a local hour of a month. */
  hourShares(month: number, hour: number): Array<[TariffTier, number]> {
    const key = month * 100 + hour;
    let shares = this.cache.get(key);
    if (!shares) {
      const count = new Map<TariffTier, number>();
      for (let m = 0; m < 60; m++) {
        const t = this.tierAt(month, hour * 60 + m);
        count.set(t, (count.get(t) ?? 0) + 1);
      }
      shares = [...count.entries()].map(([t, n]) => [t, n / 60]);
      this.cache.set(key, shares);
    }
    return shares;
  }

  /** Adds `kwh` used in a local hour to per-tier totals; returns its cost. */
  costHour(month: number, hour: number, kwh: number, byTier?: Record<TariffTier, number>): number {
    let cost = 0;
    for (const [tier, share] of this.hourShares(month, hour)) {
      cost += kwh * share * this.price(tier);
      if (byTier) byTier[tier] += kwh * share;
    }
    return cost;
  }

  static emptyTiers(): Record<TariffTier, number> {
    return Object.fromEntries(TARIFF_TIERS.map((t) => [t, 0])) as Record<TariffTier, number>;
  }
}
