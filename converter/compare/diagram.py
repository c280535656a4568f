"""The system graph (converter.compare.system) drawn as one inline SVG: no script, no font, no external file.

Layout, deterministic and without overlap by construction: every node is a box of one size on a grid.
Columns from left to right: entry points (load balancers), then the services in layers (a service is one
layer to the right of the furthest node that sends it traffic, so calls mostly run left to right), then
data stores, then external names. A layer taller than MAX_ROWS boxes is split into several columns, so 30
services stay within a screen's height. Within a layer, boxes are ordered by the mean row of the boxes that
send them traffic (one barycentre pass, as in Sugiyama-style layouts), ties by kind and name.

Edges: load-balancer traffic and calls that resolve on ECS are solid grey; calls and selections that do not
resolve on ECS are red, dashed, and labelled with the reason. Every text is XML-escaped; a title too long
for its box is cut with an ellipsis and kept whole in the box's <title> (the browser's tooltip).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from converter.compare.system import (ENTRY, EXTERNAL, SERVICE, STORE, UNATTACHED, UNCONVERTED, Edge, Node,
                                      SystemGraph)

BOX_WIDTH, BOX_HEIGHT = 172, 62
GAP_X, GAP_Y = 44, 16
MARGIN, HEADER = 16, 34
MAX_ROWS = 10
# Services take at most this many columns while they fit: with entry points, stores and external names, six
# columns of 172 px fit a 1280 px window at 0.95 scale or more, so 30 services stay readable without scrolling.
SERVICE_COLUMNS = 3
TITLE_CHARS, LINE_CHARS = 20, 25  # at the fonts below, what fits in BOX_WIDTH
# Fill colours per kind; the layout test finds the boxes in a screenshot by these colours.
FILLS = {ENTRY: "#dcf2dc", SERVICE: "#dde9fb", STORE: "#fdebc8", UNATTACHED: "#fbd9d9", UNCONVERTED: "#e4e4e4",
         EXTERNAL: "#eadcf8"}
STROKES = {ENTRY: "#3d8b3d", SERVICE: "#3767b0", STORE: "#b07a12", UNATTACHED: "#c0392b", UNCONVERTED: "#777777",
           EXTERNAL: "#7a4bb0"}
# Where each kind goes: a column group, left to right, and its heading.
GROUPS = ((("entry points", (ENTRY,)), ("services", (SERVICE, UNATTACHED, UNCONVERTED)),
           ("data stores and queues", (STORE,)), ("external names", (EXTERNAL,))))
RESOLVED_COLOUR, BROKEN_COLOUR = "#555555", "#c0392b"


@dataclass(frozen=True)
class Box:
    node: Node
    x: int
    y: int


@dataclass(frozen=True)
class Layout:
    boxes: dict[str, Box]
    headings: tuple[tuple[str, int], ...]  # (text, x) per column group
    width: int
    height: int


def layout(graph: SystemGraph) -> Layout:
    layers = _layers(graph)
    boxes: dict[str, Box] = {}
    headings: list[tuple[str, int]] = []
    column = 0
    rows_of: dict[str, float] = {}
    for heading, group_layers in layers:
        first = column
        for layer in group_layers:
            ordered = _order(layer, graph, rows_of)
            for start in range(0, len(ordered), MAX_ROWS):
                for row, node in enumerate(ordered[start:start + MAX_ROWS]):
                    boxes[node.id] = Box(node, MARGIN + column * (BOX_WIDTH + GAP_X),
                                         MARGIN + HEADER + row * (BOX_HEIGHT + GAP_Y))
                    rows_of[node.id] = row
                column += 1
        if column > first:
            headings.append((heading, MARGIN + first * (BOX_WIDTH + GAP_X)))
    rows = max((round((box.y - MARGIN - HEADER) / (BOX_HEIGHT + GAP_Y)) + 1 for box in boxes.values()), default=0)
    width = MARGIN * 2 + max(column, 1) * BOX_WIDTH + max(column - 1, 0) * GAP_X
    height = MARGIN * 2 + HEADER + max(rows, 1) * (BOX_HEIGHT + GAP_Y) + 20  # + the legend
    return Layout(boxes=boxes, headings=tuple(headings), width=width, height=height)


def _layers(graph: SystemGraph) -> list[tuple[str, list[list[Node]]]]:
    """Per column group, its layers of nodes. Services are layered by the longest path of traffic into them."""
    depth = _depths(graph)
    out = []
    for heading, kinds in GROUPS:
        members = [node for node in graph.nodes if node.kind in kinds]
        if not members:
            continue
        by_depth: dict[int, list[Node]] = {}
        for node in members:
            by_depth.setdefault(depth[node.id] if heading == "services" else 0, []).append(node)
        layers = [by_depth[d] for d in sorted(by_depth)]
        budget = max(SERVICE_COLUMNS, -(-len(members) // MAX_ROWS))
        if sum(-(-len(layer) // MAX_ROWS) for layer in layers) > budget:
            # Too many layers to keep the picture narrow: one layer, in order of depth, split into columns.
            layers = [sorted(members, key=lambda node: (depth[node.id], _KIND_ORDER[node.kind], node.title, node.id))]
        out.append((heading, layers))
    return out


def _depths(graph: SystemGraph) -> dict[str, int]:
    """Longest path (in edges) into each node from a node nothing sends traffic to, over the graph with each
    cycle broken at the edge a depth-first walk in node order meets last. Only edges between services count."""
    services = {node.id for node in graph.nodes if node.kind in (SERVICE, UNATTACHED, UNCONVERTED)}
    successors: dict[str, list[str]] = {node_id: [] for node_id in services}
    for edge in graph.edges:
        if edge.source in services and edge.target in services and edge.source != edge.target:
            successors[edge.source].append(edge.target)
    state: dict[str, int] = {}  # 1 on the walk's stack, 2 done
    order: list[str] = []
    kept: dict[str, list[str]] = {node_id: [] for node_id in services}
    for root in (node.id for node in graph.nodes if node.id in services):
        if root in state:
            continue
        stack = [(root, iter(successors[root]))]
        state[root] = 1
        while stack:
            node_id, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node_id] = 2
                order.append(node_id)
                stack.pop()
            elif state.get(child) != 1:  # an edge back onto the stack closes a cycle: left out
                kept[node_id].append(child)
                if child not in state:
                    state[child] = 1
                    stack.append((child, iter(successors[child])))
    depth = {node_id: 0 for node_id in services}
    for node_id in reversed(order):  # reverse post-order is a topological order of the kept edges
        for child in kept[node_id]:
            depth[child] = max(depth[child], depth[node_id] + 1)
    return {node.id: depth.get(node.id, 0) for node in graph.nodes}


def _order(layer: list[Node], graph: SystemGraph, rows_of: dict[str, float]) -> list[Node]:
    """The layer's nodes by the mean row of the placed nodes that send them traffic, then in the layer's order."""
    position = {node.id: index for index, node in enumerate(layer)}

    def key(node: Node) -> tuple[float, int]:
        rows = [rows_of[edge.source] for edge in graph.edges if edge.target == node.id and edge.source in rows_of]
        return (sum(rows) / len(rows) if rows else float(len(graph.nodes)), position[node.id])

    return sorted(layer, key=key)


_KIND_ORDER = {kind: index for index, kind in enumerate((ENTRY, SERVICE, UNATTACHED, UNCONVERTED, STORE, EXTERNAL))}


def render_svg(graph: SystemGraph, *, title: str = "System diagram") -> str:
    """The graph as an <svg> element for inline use in the HTML page."""
    placed = layout(graph)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="system" role="img" width="{placed.width}" '
             f'height="{placed.height}" viewBox="0 0 {placed.width} {placed.height}" '
             f'font-family="system-ui, sans-serif" font-size="12">',
             f"<title>{escape(title)}</title>",
             '<defs><marker id="arrow-ok" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
             f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{RESOLVED_COLOUR}"/></marker>'
             '<marker id="arrow-broken" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
             f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{BROKEN_COLOUR}"/></marker></defs>']
    for text, x in placed.headings:
        parts.append(f'<text x="{x}" y="{MARGIN + 12}" font-weight="600" fill="#444">{escape(text.capitalize())}</text>')
    labels: list[str] = []
    for edge in graph.edges:
        path, label = _edge(edge, placed)
        parts.append(path)
        labels += label
    for box in placed.boxes.values():
        parts += _box(box)
    parts += labels  # over the boxes, so a label is never hidden
    legend_y = placed.height - MARGIN + 2
    parts.append(f'<text x="{MARGIN}" y="{legend_y}" fill="#444">Solid grey: traffic that reaches its target on '
                 f'ECS. <tspan fill="{BROKEN_COLOUR}">Red, dashed: it does not (the label says why).</tspan></text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _box(box: Box) -> list[str]:
    node = box.node
    body = [f'<rect x="{box.x}" y="{box.y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6" '
            f'fill="{FILLS[node.kind]}" stroke="{STROKES[node.kind]}" stroke-width="1.5"'
            + (' stroke-dasharray="5 3"' if node.kind in (UNATTACHED, UNCONVERTED) else "") + "/>",
            f'<text x="{box.x + 10}" y="{box.y + 17}" font-weight="600" fill="#111">'
            f"{escape(_cut(node.title, TITLE_CHARS))}</text>"]
    for index, line in enumerate(node.lines[:3]):
        body.append(f'<text x="{box.x + 10}" y="{box.y + 33 + index * 14}" font-size="11" fill="#333">'
                    f"{escape(_cut(line, LINE_CHARS))}</text>")
    tooltip = " · ".join((node.title,) + node.lines + ((node.problem,) if node.problem else ()))
    group = f'<g class="node {node.kind}" data-node="{escape(node.id)}"><title>{escape(tooltip)}</title>' + "".join(body)
    if node.section is not None:
        return [f'<a href="#{escape(node.section)}">', group + "</g>", "</a>"]
    return [group + "</g>"]


def _edge(edge: Edge, placed: Layout) -> tuple[str, list[str]]:
    source, target = placed.boxes[edge.source], placed.boxes[edge.target]
    colour = RESOLVED_COLOUR if edge.resolved else BROKEN_COLOUR
    if target.x > source.x:  # left to right: from the right side to the left side
        x1, y1 = source.x + BOX_WIDTH, source.y + BOX_HEIGHT // 2
        x2, y2 = target.x, target.y + BOX_HEIGHT // 2
        bend = max((x2 - x1) // 2, 30)
        d = f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}"
    elif target.x == source.x:  # same column: an arc in the gap to the right of the column, clear of the boxes
        x1, y1 = source.x + BOX_WIDTH, source.y + BOX_HEIGHT // 2
        x2, y2 = target.x + BOX_WIDTH, target.y + BOX_HEIGHT // 2
        reach = GAP_X * 3 // 4
        d = f"M{x1},{y1} C{x1 + reach},{y1} {x2 + reach},{y2} {x2},{y2}"
        x1, x2 = x1 + reach * 3 // 4, x2 + reach * 3 // 4  # the label sits on the arc, not on the boxes
    else:  # back to a column on the left: from the left side into the right side
        x1, y1 = source.x, source.y + BOX_HEIGHT // 2
        x2, y2 = target.x + BOX_WIDTH, target.y + BOX_HEIGHT // 2
        bend = max((x1 - x2) // 2, 30)
        d = f"M{x1},{y1} C{x1 - bend},{y1} {x2 + bend},{y2} {x2},{y2}"
    dash = "" if edge.resolved else ' stroke-dasharray="6 4"'
    marker = "arrow-ok" if edge.resolved else "arrow-broken"
    title = edge.label + ("" if edge.resolved else f": {edge.reason}")
    path = (f'<path class="edge {"resolved" if edge.resolved else "broken"}" d="{d}" fill="none" stroke="{colour}" '
            f'stroke-width="{1.4 if edge.resolved else 2}"{dash} marker-end="url(#{marker})">'
            f"<title>{escape(title)}</title></path>")
    if edge.resolved or not edge.call:
        # A label on every call would cover the boxes of a large system: the working ones keep theirs in the
        # tooltip; the entry box names the listener ports; an unattached Service's box says why.
        return path, []
    mid_x, mid_y = (x1 + x2) // 2, (y1 + y2) // 2 - 4
    text = _cut(f"✗ {edge.label}", LINE_CHARS)
    label = (f'<text x="{mid_x}" y="{mid_y}" text-anchor="middle" font-size="11" fill="{colour}" '
             f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{escape(text)}</text>')
    return path, [label]


def _cut(text: str, limit: int) -> str:
    """The text in ``limit`` characters: the middle cut out, since names often share a long prefix
    (observatorium-xyz-loki-...) and differ at the end."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 3
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]

