/** The cloud's quotas (spec §2.2, §2.6, §2.7), named once: the checks and their error messages use them. */

/** Levels of pools, a top-level pool being 1. */
export const MAX_POOL_DEPTH = 10;
/** Provisioned CIDRs of a pool... */
export const MAX_CIDRS_PER_POOL = 50;
/** ...and of a top-level public IPv6 pool. */
export const MAX_CIDRS_PER_PUBLIC_IPV6_POOL = 1;
/** Scopes of an IPAM, its two default ones included. */
export const MAX_SCOPES = 5;
/** Tags of a resource. */
export const MAX_TAGS = 20;
