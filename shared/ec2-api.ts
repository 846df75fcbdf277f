/** What EC2's Describe calls accept, as the session Lambda and the doctor page through them. */

/** Values per filter (and IDs per call): EC2 accepts at most 200. */
export const EC2_FILTER_VALUES_PER_CALL = 200;

/** Results per page (MaxResults) the lookups ask for: the most EC2's Describe calls return. */
export const EC2_PAGE_SIZE = 1000;
