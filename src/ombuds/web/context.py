def desk(request):
    """What every desk page needs in its layout."""
    return {}
