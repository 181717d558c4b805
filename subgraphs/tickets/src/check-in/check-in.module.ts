import { Module } from '@nestjs/common';
import { EventDirectoryModule } from '../event-directory/event-directory.module.js';
import { CheckInRepository } from './check-in.repository.js';
import { CheckInResolver } from './check-in.resolver.js';
import { CheckInService } from './check-in.service.js';

@Module({
  imports: [EventDirectoryModule],
  providers: [CheckInRepository, CheckInService, CheckInResolver],
})
export class CheckInModule {}
