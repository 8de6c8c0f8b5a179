xs = []
while True:
    xs.append(xs)
