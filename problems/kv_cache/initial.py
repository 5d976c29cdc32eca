"""Which KV-cache blocks an LLM server should evict when its prefix cache is full.

The engine (evaluators/kvcache/cache.py) serves requests in trace order and calls:

  Policy(capacity)                        once per cache size
  policy.victims(count, cache, request)   when blocks must go: return exactly ``count``
                                          ids of evictable blocks (cached, and not in
                                          ``cache.pinned``, the current request's path)
  policy.on_request(request, cache)       after each request, once its blocks are cached

``cache.blocks`` maps each cached block id to a Block with: id, parent (-1 for a prompt's
first block), depth, tokens, hits, inserted, last_access (trace seconds), last_index
(request number) and children (cached blocks whose parent it is). ``request`` has index,
time (s), input_tokens, output_tokens, blocks (the prompt's block ids, root first) and
hit_blocks. A block only helps while all its ancestors are cached.
"""

from collections import OrderedDict


# EVOLVE-BLOCK-START
class Policy:
    """LRU over evictable blocks, as vLLM's automatic prefix caching: the least recently
    used block goes first, and a request's deeper blocks count as older than its first
    ones (vLLM frees a finished request's blocks tail first)."""

    def __init__(self, capacity):
        self.order = OrderedDict()  # block id -> None, least recently used first

    def on_request(self, request, cache):
        for bid in reversed(request.blocks):
            if bid in cache.blocks:
                self.order[bid] = None
                self.order.move_to_end(bid)

    def victims(self, count, cache, request):
        out = []
        for bid in self.order:
            if bid not in cache.pinned:
                out.append(bid)
                if len(out) == count:
                    break
        for bid in out:
            del self.order[bid]
        return out
# EVOLVE-BLOCK-END
