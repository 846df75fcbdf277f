/** The Traceable refresh token's contract between the stack, the agent hosts and the ECS task. */

/** Key of the refresh token inside the Secrets Manager secret (the seed's contract). */
export const REFRESH_TOKEN_SECRET_KEY = 'refresh_token';

/** How an operator puts the token into the secret the stack creates (scripts/token-put.ts): one place for every hint. */
export function tokenPutCommand(stackName = '<StackName>'): string {
  return `npm run token:put -- --stack ${stackName}`;
}
