from tests.conftest import World


def test_world_builds(world: World) -> None:
    assert world.customer_id
