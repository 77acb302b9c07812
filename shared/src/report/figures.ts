/** The figures of one reported day: its active members and how they compare with earlier days. */
import { addDays } from '../beijing-dates.ts';

export interface Comparison {
  /** The earlier day. */
  readonly date: string;
  readonly activeMembers: number;
  /** The reported day's count minus the earlier day's. */
  readonly change: number;
}

export interface DayFigures {
  /** Beijing calendar date, `YYYY-MM-DD`. */
  readonly date: string;
  readonly activeMembers: number;
  /** Absent when that day is outside WeCom's window or could not be read. */
  readonly previousDay?: Comparison;
  readonly sevenDaysBefore?: Comparison;
}

/** Resolves the number of members active on a date. */
export type ActiveMemberCounter = (date: string) => Promise<number>;

/** One WeCom call per date per run, however many reported days compare with that date. */
export function memoizeCounter(count: ActiveMemberCounter): ActiveMemberCounter {
  const counts = new Map<string, Promise<number>>();
  return (date) => {
    let pending = counts.get(date);
    if (!pending) {
      pending = count(date);
      counts.set(date, pending);
    }
    return pending;
  };
}

export interface FigureSource {
  readonly count: ActiveMemberCounter;
  /** The earliest date WeCom can answer for: earlier comparison days are not asked for. */
  readonly firstAvailable: string;
  /** A comparison day failed: the reported day still stands, without that comparison. */
  readonly onComparisonFailure: (date: string, error: unknown) => void;
}

/** Rejects only when the day's own count cannot be read. */
export async function collectDayFigures(date: string, source: FigureSource): Promise<DayFigures> {
  const earlier = async (days: number): Promise<{ date: string; activeMembers: number } | undefined> => {
    const earlierDate = addDays(date, -days);
    if (earlierDate < source.firstAvailable) return undefined;
    try {
      return { date: earlierDate, activeMembers: await source.count(earlierDate) };
    } catch (error) {
      source.onComparisonFailure(earlierDate, error);
      return undefined;
    }
  };
  const [activeMembers, previousDay, sevenDaysBefore] = await Promise.all([
    source.count(date),
    earlier(1),
    earlier(7),
  ]);
  const compare = (day: { date: string; activeMembers: number } | undefined): Comparison | undefined =>
    day && { ...day, change: activeMembers - day.activeMembers };
  return {
    date,
    activeMembers,
    previousDay: compare(previousDay),
    sevenDaysBefore: compare(sevenDaysBefore),
  };
}
