/** 300 load balancer names of 34 characters: more than fits in Lambda's 4 KB environment (they travel in the bundle). */
export function manyLoadBalancerNames(): string[] {
  return Array.from({ length: 300 }, (_, i) => `shop-frontend-alb-${String(i).padStart(3, '0')}-eu-west1x`);
}
