/** An IPv4 allocator under benchmark. Addresses are u32 numbers (e.g. 10.0.0.0 = 0x0a000000). */
export interface Ipv4Contender {
  readonly name: string;
  /** Adds a source block (the pool's provisioned CIDR). */
  addSource(address: number, prefixLength: number): void;
  /** Allocates the lowest-addressed aligned free block of this prefix length; returns its address, or -1 when none fits. */
  allocate(prefixLength: number): number;
  /** Releases a block previously returned by allocate or reserve. */
  release(address: number, prefixLength: number): void;
  /** Takes exactly this block if it is inside a source and free; returns whether it did. */
  reserve(address: number, prefixLength: number): boolean;
}
