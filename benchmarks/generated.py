"""Generated guides of any size, for benchmarks and size tests.

Nodes sit in a binary heap: node i's choices lead to nodes 2i+1 and 2i+2; inner nodes are
questions, leaves are solutions, and every solution escalates when it does not fix it.
"""


def guide_document(nodes: int, slug: str | None = None) -> dict:
    """A valid guide of exactly `nodes` nodes (at least 4; an even count, so the tree is full)."""
    tree = nodes - 1  # the escalation is the last node
    if nodes < 4 or tree % 2 == 0:
        raise ValueError("a generated guide has an even number of nodes, at least 4")
    questions = tree // 2
    slug = slug or f"generated-{nodes}"
    doc_nodes = []
    for i in range(tree):
        if i < questions:
            doc_nodes.append({
                "slug": f"n{i}", "kind": "question", "title": f"Question {i}: is setting {i} on?",
                "help": f"Open **Setup > Item {i}** and look at its value.",
                "choices": [{"slug": "a", "label": "Yes, it is on", "next": f"n{2 * i + 1}"},
                            {"slug": "b", "label": "No, it is off", "next": f"n{2 * i + 2}"}],
            })
        else:
            doc_nodes.append({
                "slug": f"n{i}", "kind": "solution", "title": f"Fix {i}", "who": "A NetSuite administrator",
                "instructions": [{"text": f"Turn setting {i} on and click **Save**."}, {"text": "Run the sync again."}],
                "if_not_fixed": "escalate",
            })
    doc_nodes.append({"slug": "escalate", "kind": "escalation", "title": "Ask support"})
    return {
        "slug": slug, "title": f"Generated guide of {nodes} nodes", "codes": [], "error": f"Generated error {slug}",
        "messages": [f"Generated error {slug}"],
        "platforms": [{"slug": "web", "name": "On the web", "support": "Support"}],
        "start": "n0", "nodes": doc_nodes,
    }


def deepest_question(nodes: int) -> tuple[str, ...]:
    """The answers ("a", "a", ...) that reach the deepest question on the leftmost path."""
    questions, answers, i = (nodes - 1) // 2, [], 0
    while 2 * i + 1 < questions:
        answers.append("a")
        i = 2 * i + 1
    return tuple(answers)
