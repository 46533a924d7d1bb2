"""Quality inspection (质检): automatic checks of a closed conversation. Pure: no AWS, no I/O."""
