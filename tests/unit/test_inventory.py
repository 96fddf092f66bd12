"""features/INVENTORY.md is the reviewed list of scenarios: it must match the feature files."""

from steps.inventory import INVENTORY, render


def test_the_committed_inventory_matches_the_features() -> None:
    assert INVENTORY.read_text(encoding="utf-8") == render(), (
        "features/INVENTORY.md is stale: run `python -m steps.inventory` and commit it with the feature change"
    )


def test_every_behaviour_tag_is_a_known_id() -> None:
    from steps.inventory import scenarios
    from steps.plugin import load_behaviours

    known = load_behaviours()
    unknown = {tag for _, _, tags in scenarios() for tag in tags if tag.startswith("B-") and tag not in known}
    assert not unknown, f"tags {sorted(unknown)} are not ids in features/behaviours.yaml"
