import { describePolicy, KINDS } from './cli';
import { formatPolicy, type DeployerPolicies } from './policies';

/** The README's policies of one stack: each policy's header, then its documents as JSON blocks. */
export function permissionsMarkdown(stackName: string, policies: DeployerPolicies): string {
  return KINDS.map((kind) => {
    const documents = policies[kind];
    const { header, titles } = describePolicy(kind, documents);
    const blocks = documents.map((document, i) => {
      const file = `${stackName}-${kind}${documents.length === 1 ? '' : `-${i + 1}`}.json`;
      return `\`${file}\`${titles[i] ? ` (${titles[i]})` : ''}:\n\n\`\`\`json\n${formatPolicy(document)}\n\`\`\``;
    });
    return [`<details><summary>${header[0].toUpperCase()}${header.slice(1)}</summary>`, '', ...blocks.flatMap((block) => [block, '']), '</details>'].join('\n');
  }).join('\n\n');
}
