/** A minimal client for seeding through the public API, like any other client would. */
export class ApiClient {
  constructor(
    private readonly url: string,
    private token?: string,
  ) {}

  as(token: string) {
    return new ApiClient(this.url, token);
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as {
      data?: T;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    if (body.errors?.length) {
      const [first] = body.errors;
      throw new Error(`${first!.extensions?.code ?? 'ERROR'}: ${first!.message}`);
    }
    return body.data as T;
  }

  async signIn(email: string, password: string): Promise<{ token: string; userId: string }> {
    const data = await this.request<{ signIn: { accessToken: string; user: { id: string } } }>(
      `mutation SignIn($email: String!, $password: String!) { signIn(email: $email, password: $password) { accessToken user { id } } }`,
      { email, password },
    );
    return { token: data.signIn.accessToken, userId: data.signIn.user.id };
  }
}
