/** The Traceable refresh token's contract between the stack, the agent hosts and the ECS task. */

/** Key of the refresh token inside the Secrets Manager secret (the seed's contract). */
export const REFRESH_TOKEN_SECRET_KEY = 'refresh_token';

/** The Terraform variable that carries the refresh token when no existing secret is named. */
export const TOKEN_VARIABLE_NAME = 'traceable_refresh_token';
