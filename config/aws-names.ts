/**
 * Names AWS would refuse, refused at synth: every AWS name a stack derives from its StackName (shared/names.ts) is
 * checked against its service's rules (characters, reserved prefixes and suffixes, case), for the collector's stack and
 * each source account's stack (`<StackName>-<AccountId>`).
 */
import { brokenDerivedNames, type BrokenName } from '../shared';
import { show } from './show';

/** `the load balancer's security group name "sg-shop-nlb" may not begin with sg- ...`, once per broken rule. */
function describeBroken(broken: readonly BrokenName[]): string {
  const firstPerRule = new Map<string, BrokenName>();
  for (const name of broken) if (!firstPerRule.has(name.rule)) firstPerRule.set(name.rule, name);
  return [...firstPerRule.values()].map(({ what, name, rule }) => `${what} ${show(name)} ${rule}`).join('; ');
}

/** The names a stack of this name derives that AWS would refuse, each with its rule; undefined when it accepts them all. */
export function derivedNamesProblem(stackName: string, subnetIds: readonly string[] = [], sameZoneDelivery = false): string | undefined {
  const broken = brokenDerivedNames(stackName, subnetIds, sameZoneDelivery);
  return broken.length === 0 ? undefined : describeBroken(broken);
}
