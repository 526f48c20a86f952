import { ApiProperty } from '@nestjs/swagger';

/** The browser's half of a session: the refresh token stays in its httpOnly cookie. */
export class AccessTokenDto {
  @ApiProperty()
  accessToken!: string;

  @ApiProperty({ description: 'Seconds until the access token expires' })
  expiresIn!: number;
}
