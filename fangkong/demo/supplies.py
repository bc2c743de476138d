def load(ctx):
    return ''
