"""Follow-up check-ins after a case closes (`check_ins.FollowUps`): sent by the bot at the
organisation's offsets, answered anonymously."""
