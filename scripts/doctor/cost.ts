/**
 * What the stack costs by the hour, in plain sight: session-hours and the fleet's instance-hours per month.
 *
 * The price is a documented constant, not looked up: US$0.015 per session-hour is the US East (Ohio) example of the
 * Amazon VPC pricing page (aws.amazon.com/vpc/pricing, "Traffic Mirroring"), as transcribed on 2026-09-20 in
 * github.com/api-evangelist/amazon-vpc (plans/amazon-vpc-plans-pricing.yml); the project could not read the AWS page
 * itself. Other regions differ: set TRACEABLE_SESSION_HOUR_PRICE_USD to your region's price.
 */
const DEFAULT_SESSION_HOUR_PRICE_USD = 0.015;
const SESSION_HOUR_PRICE_SOURCE = 'aws.amazon.com/vpc/pricing, US East (Ohio) example, as transcribed 2026-09-20';
/** The environment variable that overrides the price. */
const SESSION_HOUR_PRICE_VARIABLE = 'TRACEABLE_SESSION_HOUR_PRICE_USD';
/** AWS's pricing pages count 730 hours in a month. */
const HOURS_PER_MONTH = 730;

/** The price to use: the variable when it is a positive number, else the documented default. */
export function sessionHourPrice(env: Record<string, string | undefined>): { usd: number; source: string } {
  const given = Number(env[SESSION_HOUR_PRICE_VARIABLE]);
  return Number.isFinite(given) && given > 0
    ? { usd: given, source: `${SESSION_HOUR_PRICE_VARIABLE}` }
    : { usd: DEFAULT_SESSION_HOUR_PRICE_USD, source: SESSION_HOUR_PRICE_SOURCE };
}

const thousands = (n: number) => n.toLocaleString('en-US');

/** One line: the sessions' hours per month and what they cost at the price. */
export function sessionCostLine(sessions: number, price: { usd: number; source: string }): string {
  const hours = sessions * HOURS_PER_MONTH;
  return `cost: ${thousands(hours)} session-hours per month, about US$${(hours * price.usd).toFixed(2)} at US$${price.usd} per session-hour (${price.source}; data transfer and the NLB not included)`;
}

/** One line: the fleet's instance-hours per month (the instance price depends on type, region and purchase option). */
export function instanceHoursLine(instances: number, instanceType: string): string {
  return `cost: ${thousands(instances * HOURS_PER_MONTH)} ${instanceType} instance-hours per month at the current size (${instances} x ${HOURS_PER_MONTH} h)`;
}
